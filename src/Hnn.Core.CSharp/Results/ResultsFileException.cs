namespace Hnn.Results;

/// <summary>
/// A <c>results.json</c> that cannot be read, or merged into because it is not of the results schema; the message names
/// the file and the problem. The file is left untouched.
/// </summary>
/// <param name="path">The file at fault.</param>
/// <param name="problem">What is wrong with it.</param>
public sealed class ResultsFileException(string path, string problem) : Exception($"{path}: {problem}")
{
    /// <summary>The file at fault.</summary>
    public string Path { get; } = path;
}
