using System.Text.Json;
using System.Text.Json.Nodes;
using Hnn.IO;
using Hnn.Training;

namespace Hnn.Results;

/// <summary>
/// The <c>results.json</c> of an output folder, one schema for every task:
/// <c>{"tasks": {task: {model: {metric: {"mean", "err"}}}}, "runs": [metadata…]}</c>.
/// Each run merges its cells into the file already there and appends its metadata; the file is
/// replaced atomically.
/// </summary>
public static class ResultsFile
{
    /// <summary>The file name inside an output folder.</summary>
    public const string FileName = "results.json";

    /// <summary>Metadata of one run.</summary>
    /// <param name="Date">UTC start time, ISO 8601.</param>
    /// <param name="Seed">Random seed.</param>
    /// <param name="Steps">Training steps (per model).</param>
    /// <param name="Threads">Torch intra-op threads.</param>
    /// <param name="Seconds">Wall time of the whole run.</param>
    /// <param name="Command">What was run.</param>
    /// <param name="Status">"completed", or "interrupted" / "failed" for a run whose results in this folder are partial.</param>
    /// <param name="Reason">Why a run did not complete (null when it did).</param>
    public sealed record RunInfo(
        string Date,
        int Seed,
        int Steps,
        int Threads,
        double Seconds,
        string Command,
        string Status = RunStatus.Completed,
        string? Reason = null
    );

    /// <summary>The values of <see cref="RunInfo.Status"/>.</summary>
    public static class RunStatus
    {
        /// <summary>Every task of the run finished and was recorded.</summary>
        public const string Completed = "completed";

        /// <summary>Stopped by a signal; its checkpoints can be resumed.</summary>
        public const string Interrupted = "interrupted";

        /// <summary>Stopped by an error (divergence, bad input); results in the folder are partial.</summary>
        public const string Failed = "failed";
    }

    /// <summary>
    /// What in <paramref name="folder"/> shows that a run already wrote there ("results.json", "models/", "checkpoints/"),
    /// or null if nothing does: a new run must not write into another run's folder unless asked.
    /// </summary>
    public static string? Occupant(string folder)
    {
        if (File.Exists(Path.Combine(folder, FileName)))
            return FileName;
        foreach (var sub in new[] { "models", "checkpoints", RunArtifacts.Folder })
            if (Directory.Exists(Path.Combine(folder, sub)) && Directory.EnumerateFileSystemEntries(Path.Combine(folder, sub)).Any())
                return sub + "/";
        return null;
    }

    /// <summary>One metric of one model on one task.</summary>
    public sealed record Cell(string Task, string Model, string Metric, LossEstimate Value);

    /// <summary>Merges <paramref name="cells"/> and <paramref name="run"/> into <c>results.json</c> in <paramref name="folder"/>.</summary>
    /// <exception cref="ResultsFileException">An existing results.json is not valid JSON of this schema (it is left untouched).</exception>
    public static string Merge(string folder, IEnumerable<Cell> cells, RunInfo run)
    {
        var path = Path.Combine(folder, FileName);
        var root = File.Exists(path) ? Parse(path) : new JsonObject();
        var problem = "existing results do not follow the results schema";
        try
        {
            var tasks = Child(root, "tasks", path, problem, () => new JsonObject());
            foreach (var c in cells)
            {
                var task = Child(tasks, c.Task, path, problem, () => new JsonObject());
                var model = Child(task, c.Model, path, problem, () => new JsonObject());
                model[c.Metric] = new JsonObject { ["mean"] = c.Value.Mean, ["err"] = c.Value.Err };
            }
            Child(root, "runs", path, problem, () => new JsonArray()).Add(JsonSerializer.SerializeToNode(run, Json.Options));
        }
        catch (ArgumentException e)
        {
            // JsonObject reports duplicate property names lazily, on first access.
            throw new ResultsFileException(path, $"{problem} ({e.Message})");
        }
        AtomicFile.WriteAllText(path, root.ToJsonString(Json.Options));
        return path;
    }

    /// <summary>Appends the metadata of a run that did not complete (status and reason set) to <c>results.json</c>, so its partial results are marked.</summary>
    /// <exception cref="ResultsFileException">An existing results.json is not valid (it is left untouched).</exception>
    public static string MarkUnfinished(string folder, RunInfo run)
    {
        if (run.Status == RunStatus.Completed)
            throw new ArgumentException("an unfinished run needs status interrupted or failed");
        return Merge(folder, [], run);
    }

    /// <summary>Reads every cell of a results file.</summary>
    /// <exception cref="ResultsFileException">The file is missing, unreadable or not of this schema; the message names it.</exception>
    public static IReadOnlyList<Cell> Read(string path)
    {
        var root = Parse(path);
        var cells = new List<Cell>();
        var problem =
            "not a results file (a metric must be {\"mean\": number, \"err\": number}, a number or \"Infinity\", \"-Infinity\", \"NaN\")";
        try
        {
            if (root["tasks"] is null)
                return cells;
            foreach (
                var (task, models) in root["tasks"] as JsonObject ?? throw new ResultsFileException(path, "\"tasks\" is not an object")
            )
            foreach (
                var (model, metrics) in models as JsonObject ?? throw new ResultsFileException(path, $"task \"{task}\" is not an object")
            )
            foreach (
                var (metric, value) in metrics as JsonObject
                    ?? throw new ResultsFileException(path, $"model \"{task}.{model}\" is not an object")
            )
                cells.Add(
                    new Cell(
                        task,
                        model,
                        metric,
                        new LossEstimate(Number(value, "mean", path, problem), Number(value, "err", path, problem))
                    )
                );
        }
        catch (ArgumentException e)
        {
            throw new ResultsFileException(path, $"{problem} ({e.Message})");
        }
        return cells;
    }

    static JsonObject Parse(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new ResultsFileException(path, "expected a JSON object");
        }
        catch (JsonException e)
        {
            throw new ResultsFileException(path, $"existing results are not valid JSON ({e.Message})");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ResultsFileException(path, $"unreadable ({e.Message})");
        }
    }

    static T Child<T>(JsonObject parent, string name, string path, string problem, Func<T> make)
        where T : JsonNode
    {
        switch (parent[name])
        {
            case null:
                var made = make();
                parent[name] = made;
                return made;
            case T existing:
                return existing;
            default:
                throw new ResultsFileException(path, $"{problem} (\"{name}\" has the wrong type)");
        }
    }

    /// <summary>
    /// A metric's number: a JSON number, or one of the strings "Infinity", "-Infinity" and "NaN" that
    /// <see cref="Json.Options"/> writes for values JSON has no number for (a diverged model's errors).
    /// </summary>
    static double Number(JsonNode? value, string name, string path, string problem)
    {
        if (value is JsonObject o && o[name] is JsonValue v)
        {
            if (v.TryGetValue<double>(out var d))
                return d;
            if (v.TryGetValue<string>(out var named) && named is "Infinity" or "-Infinity" or "NaN")
                return double.Parse(named, System.Globalization.CultureInfo.InvariantCulture);
        }
        throw new ResultsFileException(path, problem);
    }
}
