/// A 3×5 bitmap font for the labels on pictures: ImageSharp 2 draws no text, SixLabors.Fonts (which would) is not
/// among the packages Hnn may use, and a TrueType font from the system would make the pictures depend on the machine.
/// Glyphs: A–Z, 0–9, space and + − = . (text is upper-cased; unknown characters are blank).
module Hnn.BitmapFont

open SixLabors.ImageSharp
open SixLabors.ImageSharp.PixelFormats

/// Glyph width in font pixels.
[<Literal>]
let Width = 3

/// Glyph height in font pixels.
[<Literal>]
let Height = 5

/// Each glyph as five rows of three marks, top row first, rows separated by '/'.
let private glyphs =
    dict
        [ 'A', ".#./#.#/###/#.#/#.#"
          'B', "##./#.#/##./#.#/##."
          'C', ".##/#../#../#../.##"
          'D', "##./#.#/#.#/#.#/##."
          'E', "###/#../##./#../###"
          'F', "###/#../##./#../#.."
          'G', ".##/#../#.#/#.#/.##"
          'H', "#.#/#.#/###/#.#/#.#"
          'I', "###/.#./.#./.#./###"
          'J', "..#/..#/..#/#.#/.#."
          'K', "#.#/#.#/##./#.#/#.#"
          'L', "#../#../#../#../###"
          'M', "#.#/###/###/#.#/#.#"
          'N', "##./#.#/#.#/#.#/#.#"
          'O', ".#./#.#/#.#/#.#/.#."
          'P', "##./#.#/##./#../#.."
          'Q', ".#./#.#/#.#/##./.##"
          'R', "##./#.#/##./#.#/#.#"
          'S', ".##/#../.#./..#/##."
          'T', "###/.#./.#./.#./.#."
          'U', "#.#/#.#/#.#/#.#/###"
          'V', "#.#/#.#/#.#/#.#/.#."
          'W', "#.#/#.#/###/###/#.#"
          'X', "#.#/#.#/.#./#.#/#.#"
          'Y', "#.#/#.#/.#./.#./.#."
          'Z', "###/..#/.#./#../###"
          '0', "###/#.#/#.#/#.#/###"
          '1', ".#./##./.#./.#./###"
          '2', "##./..#/.#./#../###"
          '3', "##./..#/.#./..#/##."
          '4', "#.#/#.#/###/..#/..#"
          '5', "###/#../##./..#/##."
          '6', ".##/#../###/#.#/###"
          '7', "###/..#/.#./.#./.#."
          '8', "###/#.#/###/#.#/###"
          '9', "###/#.#/###/..#/##."
          ' ', ".../.../.../.../..."
          '+', ".../.#./###/.#./..."
          '-', ".../.../###/.../..."
          '=', ".../###/.../###/..."
          '.', ".../.../.../.../.#." ]

/// Width in image pixels of `text` drawn at `scale` (one blank column between glyphs).
let measure (text: string) (scale: int) = if text.Length = 0 then 0 else (text.Length * (Width + 1) - 1) * scale

/// Fills the square of side `size` at (x, y), clipped to the image.
let private fill (image: Image<Rgba32>) (x: int) (y: int) (size: int) (color: Rgba32) =
    for py in max y 0 .. min (y + size) image.Height - 1 do
        for px in max x 0 .. min (x + size) image.Width - 1 do
            image[px, py] <- color

/// Draws `text` with its top-left corner at (x, y), each font pixel a `scale`×`scale` square of `color`.
let draw (image: Image<Rgba32>) (text: string) (x: int) (y: int) (scale: int) (color: Rgba32) =
    text.ToUpperInvariant()
    |> Seq.iteri (fun i c ->
        match glyphs.TryGetValue c with
        | true, glyph ->
            let rows = glyph.Split '/'
            for row in 0 .. Height - 1 do
                for col in 0 .. Width - 1 do
                    if rows[row][col] = '#' then
                        fill image (x + (i * (Width + 1) + col) * scale) (y + row * scale) scale color
        | _ -> ())
