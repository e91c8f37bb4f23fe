namespace Hnn.Data;

/// <summary>
/// A data file is missing, malformed or not the expected file. The message names the file, the 1-based
/// line number when the problem sits on one line, and the problem, as "file:line: problem".
/// </summary>
public sealed class DataFileException : Exception
{
    /// <summary>A problem with the whole file (no particular line).</summary>
    public DataFileException(string file, string problem)
        : base($"{file}: {problem}")
    {
        File = file;
        Problem = problem;
    }

    /// <summary>A problem on line <paramref name="line"/> (1-based).</summary>
    public DataFileException(string file, int line, string problem)
        : base($"{file}:{line}: {problem}")
    {
        File = file;
        Line = line;
        Problem = problem;
    }

    /// <summary>The file at fault.</summary>
    public string File { get; }

    /// <summary>The 1-based line at fault, or null when the problem concerns the whole file.</summary>
    public int? Line { get; }

    /// <summary>The problem, without the location.</summary>
    public string Problem { get; }
}
