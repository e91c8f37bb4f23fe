using System.Globalization;
using System.Security.Cryptography;

namespace Hnn.Data;

/// <summary>
/// A measured pendulum trajectory in the format of Schmidt &amp; Lipson (Science 2009, supplementary
/// "invar_datasets"): a header line <c>%o v</c>, then rows of exactly four numbers — trial, t (s),
/// o (angle), v (angular velocity) — with strictly increasing t. Parsed strictly, invariant culture.
/// </summary>
/// <param name="Source">The file it was read from.</param>
/// <param name="Trial">Trial number of each row.</param>
/// <param name="Time">Time of each row, strictly increasing.</param>
/// <param name="Angle">The angle o of each row.</param>
/// <param name="AngularVelocity">The angular velocity v of each row.</param>
public sealed record LipsonData(string Source, double[] Trial, double[] Time, double[] Angle, double[] AngularVelocity)
{
    /// <summary>The header line the format starts with.</summary>
    public const string Header = "%o v";

    /// <summary>File name of the vendored real-pendulum measurements.</summary>
    public const string DefaultFileName = "real_pend_h_1.txt";

    /// <summary>sha256 of the vendored <c>real_pend_h_1.txt</c> (recorded in data/README.md).</summary>
    public const string DefaultSha256 = "45d92988198b89a5933f5a53e67aa819d06937516f71a462ac09e1307d8b3411";

    private static readonly string[] ColumnNames = ["trial", "t", "o", "v"];

    /// <summary>Number of rows.</summary>
    public int Rows => Time.Length;

    /// <summary>
    /// Where the vendored copy sits at run time: <c>data/real_pend_h_1.txt</c> beside the Hnn.Core assembly
    /// (the build copies it there).
    /// </summary>
    public static string DefaultPath =>
        Path.Combine(Path.GetDirectoryName(typeof(LipsonData).Assembly.Location) ?? AppContext.BaseDirectory, "data", DefaultFileName);

    /// <summary>Loads the vendored real-pendulum file from <see cref="DefaultPath"/>, checking its sha256.</summary>
    /// <exception cref="DataFileException">The file is missing, differs from the vendored one, or is malformed.</exception>
    public static LipsonData LoadDefault() => Load(DefaultPath, DefaultSha256);

    /// <summary>Loads and parses <paramref name="path"/>; when <paramref name="expectedSha256"/> is given, the file's bytes must have that hash.</summary>
    /// <exception cref="DataFileException">The file is missing, has another hash, or is malformed.</exception>
    public static LipsonData Load(string path, string? expectedSha256 = null)
    {
        if (!File.Exists(path))
            throw new DataFileException(path, "no such file");
        var bytes = File.ReadAllBytes(path);
        if (expectedSha256 is not null)
        {
            var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
            if (!string.Equals(actual, expectedSha256, StringComparison.OrdinalIgnoreCase))
                throw new DataFileException(
                    path,
                    $"sha256 is {actual}, expected {expectedSha256.ToLowerInvariant()}: the file differs from the vendored copy (see data/README.md)"
                );
        }
        string text;
        try
        {
            text = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (System.Text.DecoderFallbackException)
        {
            throw new DataFileException(path, "not a text file (invalid UTF-8)");
        }
        return Parse(text, path);
    }

    /// <summary>Parses the text of a file; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="DataFileException">The text is malformed; the message names the source, the line and the problem.</exception>
    public static LipsonData Parse(string text, string source)
    {
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
            lines[i] = lines[i].TrimEnd('\r');
        int last = lines.Length - 1;
        while (last >= 0 && string.IsNullOrWhiteSpace(lines[last]))
            last--;
        if (last < 0)
            throw new DataFileException(source, $"truncated: the file is empty (expected the header '{Header}' and at least 2 rows)");
        if (lines[0].Trim() != Header)
            throw new DataFileException(source, 1, $"expected the header line '{Header}', found '{Shorten(lines[0])}'");
        int rows = last;
        if (rows == 0)
            throw new DataFileException(source, "truncated: header only, no data rows (need at least 2)");
        if (rows == 1)
            throw new DataFileException(source, "truncated: only 1 data row (need at least 2)");

        var columns = new double[4][];
        for (int c = 0; c < 4; c++)
            columns[c] = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            int lineNumber = r + 2;
            var line = lines[r + 1];
            var cells = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (cells.Length == 0)
                throw new DataFileException(source, lineNumber, "blank line inside the data");
            if (cells.Length != 4)
                throw new DataFileException(source, lineNumber, $"expected 4 columns (trial, t, o, v), found {cells.Length}");
            for (int c = 0; c < 4; c++)
            {
                if (!double.TryParse(cells[c], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                    throw new DataFileException(
                        source,
                        lineNumber,
                        $"column {c + 1} ({ColumnNames[c]}) is not a number: '{Shorten(cells[c])}'"
                    );
                if (!double.IsFinite(value))
                    throw new DataFileException(
                        source,
                        lineNumber,
                        $"column {c + 1} ({ColumnNames[c]}) is {cells[c]} (NaN or infinite values are not allowed)"
                    );
                columns[c][r] = value;
            }
            if (r > 0 && !(columns[1][r] > columns[1][r - 1]))
                throw new DataFileException(
                    source,
                    lineNumber,
                    $"time {columns[1][r].ToString("R", CultureInfo.InvariantCulture)} does not increase (previous row: {columns[1][r - 1].ToString("R", CultureInfo.InvariantCulture)})"
                );
        }
        if (!text.EndsWith('\n'))
            throw new DataFileException(
                source,
                last + 1,
                "the last line has no line end: the file looks truncated (every row of this format ends with one)"
            );
        return new LipsonData(source, columns[0], columns[1], columns[2], columns[3]);
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
