using Hnn.IO;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing.Processors.Quantization;

namespace Hnn.Pixels;

/// <summary>
/// Pictures of pixel rollouts with ImageSharp: an animated GIF of panels side by side (e.g. true | baseline | HNN) and
/// a PNG strip of every n-th frame, one row per panel. Frames are upscaled by pixel replication; values are clamped to
/// [0, 1] and drawn as gray levels, bright rod on black, on a dark gray sheet with labels in <see cref="TinyFont"/>.
/// Files are written atomically.
/// </summary>
public static class PixelPictures
{
    private const int Margin = 6;
    private const int TextScale = 2;
    private static readonly Rgba32 Sheet = new(40, 40, 40);
    private static readonly Rgba32 Ink = new(230, 230, 230);

    /// <summary>
    /// Writes an animated GIF (looping) with the panels side by side, each frame upscaled <paramref name="scale"/>×,
    /// the labels above and <paramref name="caption"/> of the time index below; <paramref name="delayCentiseconds"/>
    /// per frame. All panels must have the same number of frames of <paramref name="side"/>² values.
    /// </summary>
    /// <exception cref="ArgumentException">No panels, or panels of unequal length or wrong frame size.</exception>
    public static void WriteGif(string path, IReadOnlyList<FramePanel> panels, int side, int scale = 6, int delayCentiseconds = 5, Func<int, string>? caption = null)
    {
        int count = Check(panels, side);
        int cell = side * scale, band = TinyFont.Height * TextScale + Margin;
        int width = Margin + panels.Count * (cell + Margin);
        int height = Margin + band + cell + Margin + band;
        using var animation = new Image<Rgba32>(width, height);
        for (int t = 0; t < count; t++)
        {
            using var sheet = new Image<Rgba32>(width, height, Sheet);
            for (int p = 0; p < panels.Count; p++)
            {
                int x = Margin + p * (cell + Margin);
                TinyFont.Draw(sheet, panels[p].Label, x + (cell - TinyFont.Measure(panels[p].Label, TextScale)) / 2, Margin, TextScale, Ink);
                DrawFrame(sheet, panels[p].Frames[t], side, scale, x, Margin + band);
            }
            if (caption?.Invoke(t) is { Length: > 0 } text)
                TinyFont.Draw(sheet, text, Margin, Margin + band + cell + Margin, TextScale, Ink);
            var frame = t == 0 ? animation.Frames.RootFrame : animation.Frames.AddFrame(sheet.Frames.RootFrame);
            if (t == 0) CopyInto(sheet, animation);
            frame.Metadata.GetGifMetadata().FrameDelay = delayCentiseconds;
        }
        animation.Metadata.GetGifMetadata().RepeatCount = 0;
        var encoder = new GifEncoder
        {
            ColorTableMode = GifColorTableMode.Global,
            Quantizer = new PaletteQuantizer(GrayPalette(), new QuantizerOptions { Dither = null }),
        };
        AtomicFile.Write(path, s => animation.SaveAsGif(s, encoder));
    }

    /// <summary>
    /// Writes a PNG with one row per panel (its label above it) holding frames 0, <paramref name="every"/>,
    /// 2·<paramref name="every"/>, … upscaled <paramref name="scale"/>×.
    /// </summary>
    /// <exception cref="ArgumentException">No panels, panels of unequal length or wrong frame size, or every &lt; 1.</exception>
    public static void WritePngStrip(string path, IReadOnlyList<FramePanel> panels, int side, int every = 10, int scale = 4)
    {
        int count = Check(panels, side);
        ArgumentOutOfRangeException.ThrowIfLessThan(every, 1);
        int columns = (count - 1) / every + 1;
        int cell = side * scale, band = TinyFont.Height * TextScale + Margin, gap = 2;
        int width = Margin + columns * (cell + gap) - gap + Margin;
        int height = Margin + panels.Count * (band + cell + Margin);
        using var sheet = new Image<Rgba32>(width, height, Sheet);
        for (int p = 0; p < panels.Count; p++)
        {
            int y = Margin + p * (band + cell + Margin);
            TinyFont.Draw(sheet, panels[p].Label, Margin, y, TextScale, Ink);
            for (int c = 0; c < columns; c++)
                DrawFrame(sheet, panels[p].Frames[c * every], side, scale, Margin + c * (cell + gap), y + band);
        }
        AtomicFile.Write(path, s => sheet.SaveAsPng(s));
    }

    private static int Check(IReadOnlyList<FramePanel> panels, int side)
    {
        if (panels.Count == 0) throw new ArgumentException("need at least one panel", nameof(panels));
        int count = panels[0].Frames.Count;
        if (count == 0) throw new ArgumentException("panels have no frames", nameof(panels));
        foreach (var panel in panels)
        {
            if (panel.Frames.Count != count) throw new ArgumentException($"panel '{panel.Label}' has {panel.Frames.Count} frames, the first has {count}", nameof(panels));
            if (panel.Frames.Any(f => f.Length != side * side)) throw new ArgumentException($"panel '{panel.Label}' has a frame that is not {side}×{side}", nameof(panels));
        }
        return count;
    }

    private static void DrawFrame(Image<Rgba32> image, float[] frame, int side, int scale, int x0, int y0)
    {
        for (int row = 0; row < side; row++)
            for (int col = 0; col < side; col++)
            {
                byte v = (byte)Math.Round(255 * Math.Clamp(float.IsFinite(frame[row * side + col]) ? frame[row * side + col] : 0f, 0f, 1f));
                var color = new Rgba32(v, v, v);
                for (int dy = 0; dy < scale; dy++)
                    for (int dx = 0; dx < scale; dx++)
                        image[x0 + col * scale + dx, y0 + row * scale + dy] = color;
            }
    }

    private static void CopyInto(Image<Rgba32> source, Image<Rgba32> target)
    {
        for (int y = 0; y < source.Height; y++)
            for (int x = 0; x < source.Width; x++)
                target[x, y] = source[x, y];
    }

    private static Color[] GrayPalette() =>
        Enumerable.Range(0, 256).Select(v => Color.FromRgb((byte)v, (byte)v, (byte)v)).ToArray();
}
