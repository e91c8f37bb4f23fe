/// Pictures of pixel rollouts with ImageSharp: an animated GIF of panels side by side (e.g. true | baseline | HNN) and
/// a PNG strip of every n-th frame, one row per panel. Frames are upscaled by pixel replication; values are clamped to
/// [0, 1] and drawn as gray levels, bright rod on black, on a dark gray sheet with labels in `BitmapFont`.
/// Files are written atomically.
namespace Hnn

open System
open SixLabors.ImageSharp
open SixLabors.ImageSharp.Formats.Gif
open SixLabors.ImageSharp.PixelFormats
open SixLabors.ImageSharp.Processing.Processors.Quantization
open Hnn.IO

/// A labelled sequence of square gray frames (side² values each, nominally in [0, 1]): one column of an animation.
type FramePanel =
    {
        /// Drawn above the panel (letters, digits, space, + − = .).
        Label: string
        /// The frames in time order.
        Frames: float32[][]
    }

/// Animated GIFs and PNG strips of frame panels.
module FramePictures =
    let private margin = 6
    let private textScale = 2
    let private sheet = Rgba32(40uy, 40uy, 40uy)
    let private ink = Rgba32(230uy, 230uy, 230uy)

    /// Time between the GIF's frames: 5 cs, 20 frames per second.
    let private delayCentiseconds = 5

    /// The number of frames of every panel; fails on no panels or panels of unequal length or wrong frame size.
    let private frameCount (panels: FramePanel list) (side: int) =
        if panels.IsEmpty then
            invalidArg (nameof panels) "need at least one panel"
        let count = panels.Head.Frames.Length
        if count = 0 then
            invalidArg (nameof panels) "panels have no frames"
        for panel in panels do
            if panel.Frames.Length <> count then
                invalidArg (nameof panels) (sprintf "panel '%s' has %d frames, the first has %d" panel.Label panel.Frames.Length count)
            if panel.Frames |> Array.exists (fun f -> f.Length <> side * side) then
                invalidArg (nameof panels) (sprintf "panel '%s' has a frame that is not %d×%d" panel.Label side side)
        count

    let private drawFrame (image: Image<Rgba32>) (frame: float32[]) (side: int) (scale: int) (x0: int) (y0: int) =
        for row in 0 .. side - 1 do
            for col in 0 .. side - 1 do
                let v = frame[row * side + col]
                let level = byte (Math.Round(float (255.0f * Math.Clamp((if Single.IsFinite v then v else 0.0f), 0.0f, 1.0f))))
                let color = Rgba32(level, level, level)
                for dy in 0 .. scale - 1 do
                    for dx in 0 .. scale - 1 do
                        image[x0 + col * scale + dx, y0 + row * scale + dy] <- color

    let private grayPalette () = Array.init 256 (fun v -> Color.FromRgb(byte v, byte v, byte v))

    /// Writes a looping animated GIF with the panels side by side, each frame upscaled `scale`×, the labels above and
    /// `caption t` of the time index below. All panels must have the same number of frames of `side`² values.
    let writeGif (path: string) (side: int) (scale: int) (caption: int -> string) (panels: FramePanel list) =
        let count = frameCount panels side
        let cell = side * scale
        let band = BitmapFont.Height * textScale + margin
        let width = margin + panels.Length * (cell + margin)
        let height = margin + band + cell + margin + band
        use animation = new Image<Rgba32>(width, height)
        for t in 0 .. count - 1 do
            use page = new Image<Rgba32>(width, height, sheet)
            panels
            |> List.iteri (fun p panel ->
                let x = margin + p * (cell + margin)
                BitmapFont.draw page panel.Label (x + (cell - BitmapFont.measure panel.Label textScale) / 2) margin textScale ink
                drawFrame page panel.Frames[t] side scale x (margin + band))
            match caption t with
            | "" -> ()
            | text -> BitmapFont.draw page text margin (margin + band + cell + margin) textScale ink
            let frame =
                if t = 0 then
                    for y in 0 .. height - 1 do
                        for x in 0 .. width - 1 do
                            animation[x, y] <- page[x, y]
                    animation.Frames.RootFrame
                else
                    animation.Frames.AddFrame(page.Frames.RootFrame)
            frame.Metadata.GetGifMetadata().FrameDelay <- delayCentiseconds
        animation.Metadata.GetGifMetadata().RepeatCount <- 0us
        let encoder =
            GifEncoder(
                ColorTableMode = GifColorTableMode.Global,
                Quantizer = PaletteQuantizer(ReadOnlyMemory(grayPalette ()), QuantizerOptions(Dither = null))
            )
        AtomicFile.Write(path, fun s -> animation.SaveAsGif(s, encoder))

    /// Writes a PNG with one row per panel (its label above it) holding frames 0, `every`, 2·`every`, … upscaled
    /// `scale`×. All panels must have the same number of frames of `side`² values; `every` at least 1.
    let writePngStrip (path: string) (side: int) (scale: int) (every: int) (panels: FramePanel list) =
        let count = frameCount panels side
        ArgumentOutOfRangeException.ThrowIfLessThan(every, 1)
        let columns = (count - 1) / every + 1
        let cell = side * scale
        let band = BitmapFont.Height * textScale + margin
        let gap = 2
        let width = margin + columns * (cell + gap) - gap + margin
        let height = margin + panels.Length * (band + cell + margin)
        use page = new Image<Rgba32>(width, height, sheet)
        panels
        |> List.iteri (fun p panel ->
            let y = margin + p * (band + cell + margin)
            BitmapFont.draw page panel.Label margin y textScale ink
            for c in 0 .. columns - 1 do
                drawFrame page panel.Frames[c * every] side scale (margin + c * (cell + gap)) (y + band))
        AtomicFile.Write(path, fun s -> page.SaveAsPng(s))
