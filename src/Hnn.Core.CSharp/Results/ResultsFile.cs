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
    public sealed record RunInfo(string Date, int Seed, int Steps, int Threads, double Seconds, string Command);

    /// <summary>One metric of one model on one task.</summary>
    public sealed record Cell(string Task, string Model, string Metric, LossEstimate Value);

    /// <summary>Merges <paramref name="cells"/> and <paramref name="run"/> into <c>results.json</c> in <paramref name="folder"/>.</summary>
    /// <exception cref="InvalidDataException">An existing results.json is not valid JSON of this schema (it is left untouched).</exception>
    public static string Merge(string folder, IEnumerable<Cell> cells, RunInfo run)
    {
        var path = Path.Combine(folder, FileName);
        JsonObject root;
        if (File.Exists(path))
        {
            try
            {
                root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                    ?? throw new InvalidDataException($"{path}: expected a JSON object");
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}: existing results are not valid JSON ({e.Message}); move it away or choose another --out");
            }
        }
        else root = new JsonObject();

        var tasks = root["tasks"] as JsonObject ?? new JsonObject();
        root["tasks"] = tasks;
        foreach (var c in cells)
        {
            var task = tasks[c.Task] as JsonObject ?? new JsonObject();
            tasks[c.Task] = task;
            var model = task[c.Model] as JsonObject ?? new JsonObject();
            task[c.Model] = model;
            model[c.Metric] = new JsonObject { ["mean"] = c.Value.Mean, ["err"] = c.Value.Err };
        }
        var runs = root["runs"] as JsonArray ?? new JsonArray();
        root["runs"] = runs;
        runs.Add(JsonSerializer.SerializeToNode(run, Json.Options));
        AtomicFile.WriteAllText(path, root.ToJsonString(Json.Options));
        return path;
    }

    /// <summary>Reads every cell of a results file.</summary>
    public static IReadOnlyList<Cell> Read(string path)
    {
        var root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"{path}: expected a JSON object");
        var cells = new List<Cell>();
        if (root["tasks"] is not JsonObject tasks) return cells;
        foreach (var (task, models) in tasks)
            foreach (var (model, metrics) in (models as JsonObject) ?? [])
                foreach (var (metric, value) in (metrics as JsonObject) ?? [])
                    if (value is JsonObject v && v["mean"] is JsonValue m && v["err"] is JsonValue e)
                        cells.Add(new Cell(task, model, metric, new LossEstimate(m.GetValue<double>(), e.GetValue<double>())));
        return cells;
    }
}
