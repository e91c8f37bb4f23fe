/// The documentation site's two steps around fsdocs (`dotnet fsi build.fsx docs`, docs/site.md): staging docs/ and
/// the README into fsdocs' input, and finishing its output into a site that reads offline from disk.
module Site

open System
open System.IO
open System.Text.RegularExpressions

/// fsdocs' {{root}} while it builds: `finish` turns it into each page's relative way back to the site's root, so
/// the site reads from disk wherever it lies (file:// has no root an absolute link could start from).
let rootMarker = "hnn-site-root/"

let private guides = "Guides (executed when the site is built)"

/// The pages besides the guides (docs/guide-*.fsx carry their own front matter): source, page in the site, menu
/// category, position in it. A page of docs/ missing here fails the build, so the menu stays complete.
let pages =
    [ "README.md", "index.md", "Overview", 0, 0
      "docs/site.md", "site.md", "Overview", 0, 1
      "docs/architecture.md", "architecture.md", "Overview", 0, 2
      "docs/csharp.md", "csharp.md", guides, 1, 4
      "docs/command-line.md", "command-line.md", "Topics", 2, 0
      "docs/compose.md", "compose.md", "Topics", 2, 1
      "docs/physics-checks.md", "physics-checks.md", "Topics", 2, 2
      "docs/dissipative.md", "dissipative.md", "Topics", 2, 3
      "docs/reports.md", "reports.md", "Topics", 2, 4
      "docs/sampled.md", "sampled.md", "Topics", 2, 5
      "docs/sweeps.md", "sweeps.md", "Topics", 2, 6
      "docs/seeds.md", "seeds.md", "Topics", 2, 7
      "docs/benchmarks.md", "benchmarks.md", "Topics", 2, 8
      "docs/model-families.md", "model-families.md", "Topics", 2, 9
      "docs/suite.md", "suite.md", "Topics", 2, 10
      "docs/packages.md", "packages.md", "Topics", 2, 11
      "docs/performance.md", "performance.md", "Topics", 2, 12
      "docs/native-loading.md", "native-loading.md", "Topics", 2, 13
      "docs/torchsharp-scalars.md", "torchsharp-scalars.md", "Topics", 2, 14 ]

let private fail (message: string) = failwithf "docs: %s" message

let private fences = Regex("^```([A-Za-z#]*)[ \\t]*\\n(.*?)^```[ \\t]*$", RegexOptions.Multiline ||| RegexOptions.Singleline)

/// The C# page (docs/csharp.md) must show docs/csharp/Program.cs verbatim: that file is what the build compiles and
/// runs.
let checkCSharpPage (root: string) =
    let page = File.ReadAllText(Path.Combine(root, "docs", "csharp.md")).Replace("\r\n", "\n")
    let program = File.ReadAllText(Path.Combine(root, "docs", "csharp", "Program.cs")).Replace("\r\n", "\n")
    match [ for m in fences.Matches page do if m.Groups[1].Value = "csharp" then m.Groups[2].Value ] with
    | [ shown ] when shown = program -> ()
    | [ _ ] -> fail "docs/csharp.md's C# block differs from docs/csharp/Program.cs (the program the build runs): make them the same"
    | blocks -> fail (sprintf "docs/csharp.md should have one C# block (the program docs/csharp/Program.cs), has %d" blocks.Length)

/// A Markdown page as fsdocs should see it: its menu entry as front matter; the README's links into docs/ made
/// site-relative; F# blocks with #r/#load directives (which fsdocs' type checker would try to resolve) shown as
/// plain code; and a hidden block loading the library, so the other F# blocks get type information and tooltips.
let private markdown (root: string) (text: string) (category: string) (categoryIndex: int) (index: int) =
    let text = text.Replace("\r\n", "\n").Replace("](docs/", "](")
    let text =
        fences.Replace(text, MatchEvaluator(fun m ->
            let language, body = m.Groups[1].Value, m.Groups[2].Value
            let directive = Regex.IsMatch(body, "^\\s*#(r|load|i|I)\\s", RegexOptions.Multiline)
            if language = "fsharp" && directive then "```fsx\n[lang=fsx]\n" + body + "```" else m.Value))
    let load = Path.Combine(root, "scripts", "hnn.fsx").Replace('\\', '/')
    sprintf "---\ncategory: %s\ncategoryindex: %d\nindex: %d\n---\n\n```fsharp\n[hide]\n#load \"%s\"\n```\n\n%s"
        category categoryIndex index load text

/// Relative link targets of a Markdown page that are not in the staged site.
let private brokenLinks (input: string) (text: string) =
    [ for m in Regex.Matches(text, "\\]\\(([^)\\s]+)\\)") do
        let target = m.Groups[1].Value.Split('#')[0]
        if target <> "" && not (Regex.IsMatch(target, "^[a-z]+:")) && not (File.Exists(Path.Combine(input, target))) then
            yield target ]

/// Copies what the site is made of into `input` (emptied first): the pages (`pages`, with front matter), the guides,
/// the layout and the images; the C# page shows `csharpOutput`, what its program printed in this build.
let stage (root: string) (input: string) (csharpOutput: string) =
    let docs = Path.Combine(root, "docs")
    if Directory.Exists input then Directory.Delete(input, true)
    Directory.CreateDirectory input |> ignore
    let listed = pages |> List.map (fun (source, _, _, _, _) -> Path.GetFileName source) |> set
    for md in Directory.GetFiles(docs, "*.md") do
        if not (listed.Contains(Path.GetFileName md)) then
            fail (sprintf "%s is not in the site's menu: add it to the pages of docs/site/Site.fsx" md)
    for source, page, category, categoryIndex, index in pages do
        let text = markdown root (File.ReadAllText(Path.Combine(root, source))) category categoryIndex index
        let text =
            if page <> "csharp.md" then text
            else
                // The block after the program is its output: this build's.
                let program = text.IndexOf "```csharp"
                let start = text.IndexOf("```text\n", program)
                let finish = text.IndexOf("```", start + 8)
                if program < 0 || start < 0 || finish < 0 then fail "docs/csharp.md: expected a ```text block (the output) after the program"
                text.Substring(0, start + 8) + csharpOutput.Replace("\r\n", "\n").TrimEnd('\n') + "\n" + text.Substring finish
        File.WriteAllText(Path.Combine(input, page), text)
    // The guides load the library through scripts/hnn.fsx (TorchNative and all), wherever the input lies.
    let scripts = Path.Combine(root, "scripts").Replace('\\', '/') + "/"
    for fsx in Directory.GetFiles(docs, "guide-*.fsx") do
        File.WriteAllText(Path.Combine(input, Path.GetFileName fsx), File.ReadAllText(fsx).Replace("\"../scripts/", "\"" + scripts))
    File.Copy(Path.Combine(docs, "_template.html"), Path.Combine(input, "_template.html"))
    let images = Path.Combine(input, "images")
    Directory.CreateDirectory images |> ignore
    for image in Directory.GetFiles(Path.Combine(docs, "images")) do
        File.Copy(image, Path.Combine(images, Path.GetFileName image))
    for page in Directory.GetFiles(input, "*.md") do
        match brokenLinks input (File.ReadAllText page) with
        | [] -> ()
        | broken -> fail (sprintf "%s links to %s, not part of the site" (Path.GetFileName page) (String.Join(", ", broken)))

/// Files of fsdocs' default content that no page of this layout loads (the first three import modules from CDNs).
let private unused =
    [ "content/fsdocs-search.js"; "content/fsdocs-theme-toggle.js"; "content/fsdocs-details-toggle.js"
      "content/img/github-pages-settings.png"; "index.json"; "NuGet.config" ]

let private anchors = Regex("<a href=\"([^\"#:]+\\.html)(#[^\"]*)?\"[^>]*>(.*?)</a>", RegexOptions.Singleline)

/// Makes fsdocs' output read offline from disk: every page's links relative to its own folder, the unused default
/// content removed, links to pages fsdocs did not make turned into plain text (it links every type a signature or a
/// doc comment names, but makes no page for C# nested types and delegates, nor for internal types); fails if a page
/// still loads anything from the network. Returns the pages that were linked but not made.
let finish (site: string) =
    for file in unused do
        let path = Path.Combine(site, file)
        if File.Exists path then File.Delete path
    let img = Path.Combine(site, "content", "img")
    if Directory.Exists img && Directory.GetFileSystemEntries(img).Length = 0 then Directory.Delete img
    let remote = Regex("<(script|link|img|iframe|source)\\b[^>]*\\b(src|href)=\"(https?:)?//", RegexOptions.IgnoreCase)
    let missing = Collections.Generic.HashSet<string>()
    for page in Directory.GetFiles(site, "*.html", SearchOption.AllDirectories) do
        let depth = Path.GetRelativePath(site, page).Split([| '/'; '\\' |]).Length - 1
        let dir = Path.GetDirectoryName page |> string
        let html = File.ReadAllText(page).Replace(rootMarker, String.replicate depth "../")
        let html =
            anchors.Replace(html, MatchEvaluator(fun m ->
                let target = Path.GetFullPath(Path.Combine(dir, m.Groups[1].Value))
                if File.Exists target then m.Value
                else
                    missing.Add(Path.GetRelativePath(site, target).Replace('\\', '/')) |> ignore
                    m.Groups[3].Value))
        File.WriteAllText(page, html)
        match remote.Match html with
        | m when m.Success -> fail (sprintf "%s loads from the network: %s" page m.Value)
        | _ -> ()
    for file in Directory.GetFiles(site, "*", SearchOption.AllDirectories) do
        if File.ReadAllText(file).Contains rootMarker then fail (sprintf "%s still holds the root marker '%s'" file rootMarker)
    missing |> Seq.sort |> List.ofSeq
