namespace Hnn.Pixels;

/// <summary>A labelled sequence of square grayscale frames (Side² values each, nominally in [0, 1]): one column of an animation.</summary>
/// <param name="Label">Drawn above the panel (letters, digits, space, + − = .).</param>
/// <param name="Frames">The frames in time order.</param>
public sealed record FramePanel(string Label, IReadOnlyList<float[]> Frames);
