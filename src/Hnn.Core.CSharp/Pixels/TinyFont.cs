using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Hnn.Pixels;

/// <summary>A 3×5 bitmap font for labels on pictures (ImageSharp alone draws no text): A–Z, 0–9, space and + − = .</summary>
internal static class TinyFont
{
    /// <summary>Glyph width in font pixels.</summary>
    public const int Width = 3;

    /// <summary>Glyph height in font pixels.</summary>
    public const int Height = 5;

    /// <summary>Each glyph as five rows of three marks, top row first, rows separated by '/'.</summary>
    private static readonly Dictionary<char, string> Glyphs = new()
    {
        ['A'] = ".#./#.#/###/#.#/#.#", ['B'] = "##./#.#/##./#.#/##.", ['C'] = ".##/#../#../#../.##", ['D'] = "##./#.#/#.#/#.#/##.",
        ['E'] = "###/#../##./#../###", ['F'] = "###/#../##./#../#..", ['G'] = ".##/#../#.#/#.#/.##", ['H'] = "#.#/#.#/###/#.#/#.#",
        ['I'] = "###/.#./.#./.#./###", ['J'] = "..#/..#/..#/#.#/.#.", ['K'] = "#.#/#.#/##./#.#/#.#", ['L'] = "#../#../#../#../###",
        ['M'] = "#.#/###/###/#.#/#.#", ['N'] = "##./#.#/#.#/#.#/#.#", ['O'] = ".#./#.#/#.#/#.#/.#.", ['P'] = "##./#.#/##./#../#..",
        ['Q'] = ".#./#.#/#.#/##./.##", ['R'] = "##./#.#/##./#.#/#.#", ['S'] = ".##/#../.#./..#/##.", ['T'] = "###/.#./.#./.#./.#.",
        ['U'] = "#.#/#.#/#.#/#.#/###", ['V'] = "#.#/#.#/#.#/#.#/.#.", ['W'] = "#.#/#.#/###/###/#.#", ['X'] = "#.#/#.#/.#./#.#/#.#",
        ['Y'] = "#.#/#.#/.#./.#./.#.", ['Z'] = "###/..#/.#./#../###", ['0'] = "###/#.#/#.#/#.#/###", ['1'] = ".#./##./.#./.#./###",
        ['2'] = "##./..#/.#./#../###", ['3'] = "##./..#/.#./..#/##.", ['4'] = "#.#/#.#/###/..#/..#", ['5'] = "###/#../##./..#/##.",
        ['6'] = ".##/#../###/#.#/###", ['7'] = "###/..#/.#./.#./.#.", ['8'] = "###/#.#/###/#.#/###", ['9'] = "###/#.#/###/..#/##.",
        [' '] = ".../.../.../.../...", ['+'] = ".../.#./###/.#./...", ['-'] = ".../.../###/.../...", ['='] = ".../###/.../###/...",
        ['.'] = ".../.../.../.../.#.",
    };

    /// <summary>Width in image pixels of <paramref name="text"/> drawn at <paramref name="scale"/> (one blank column between glyphs).</summary>
    public static int Measure(string text, int scale) => text.Length == 0 ? 0 : (text.Length * (Width + 1) - 1) * scale;

    /// <summary>Draws <paramref name="text"/> (upper-cased; unknown characters are blank) with its top-left corner at (x, y).</summary>
    public static void Draw(Image<Rgba32> image, string text, int x, int y, int scale, Rgba32 color)
    {
        foreach (char raw in text.ToUpperInvariant())
        {
            if (Glyphs.TryGetValue(raw, out var glyph))
            {
                var rows = glyph.Split('/');
                for (int row = 0; row < Height; row++)
                    for (int col = 0; col < Width; col++)
                        if (rows[row][col] == '#')
                            Fill(image, x + col * scale, y + row * scale, scale, color);
            }
            x += (Width + 1) * scale;
        }
    }

    private static void Fill(Image<Rgba32> image, int x, int y, int size, Rgba32 color)
    {
        for (int dy = 0; dy < size; dy++)
            for (int dx = 0; dx < size; dx++)
                if (x + dx >= 0 && x + dx < image.Width && y + dy >= 0 && y + dy < image.Height)
                    image[x + dx, y + dy] = color;
    }
}
