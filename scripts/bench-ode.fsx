#!/usr/bin/env -S dotnet fsi
// Timing check for Ode.Solve at the sizes the data generation needs (run by hand, not a test):
// 1000 two-body orbits (dim 8, t ∈ [0, 20], 50 points) and 5000 three-body orbits (dim 12, t ∈ [0, 5], 20 points), rtol 1e-9.
// Build first: dotnet build src/Hnn.Core.CSharp -c Release
#r "../src/Hnn.Core.CSharp/bin/Release/net10.0/Hnn.Core.dll"

open System
open System.Diagnostics
open Hnn.Integrators

/// n unit masses in 2D, G = 1: x = (x₁..xₙ, y₁..yₙ, px₁..pxₙ, py₁..pyₙ).
let gravity (bodies: int) : BatchVectorField =
    BatchVectorField(fun _ x dxdt count ->
        let d = 4 * bodies
        for r in 0 .. count - 1 do
            let o = r * d
            for i in 0 .. bodies - 1 do
                dxdt[o + i] <- x[o + 2 * bodies + i]
                dxdt[o + bodies + i] <- x[o + 3 * bodies + i]
                let mutable ax = 0.0
                let mutable ay = 0.0
                for j in 0 .. bodies - 1 do
                    if j <> i then
                        let dx = x[o + j] - x[o + i]
                        let dy = x[o + bodies + j] - x[o + bodies + i]
                        let r2 = dx * dx + dy * dy
                        let inv = 1.0 / (r2 * sqrt r2)
                        ax <- ax + dx * inv
                        ay <- ay + dy * inv
                dxdt[o + 2 * bodies + i] <- ax
                dxdt[o + 3 * bodies + i] <- ay)

let twoBodyStarts (rng: Random) n =
    Array.init n (fun _ ->
        let px, py = 0.5 + rng.NextDouble(), 0.5 + rng.NextDouble()
        let r = sqrt (px * px + py * py)
        let s = 1.0 + 0.05 * (rng.NextDouble() - 0.5)
        let vx, vy = -py / (2.0 * r ** 1.5) * s, px / (2.0 * r ** 1.5) * s
        [| px; -px; py; -py; vx; -vx; vy; -vy |])
    |> Array.concat

let threeBodyStarts (rng: Random) n =
    Array.init n (fun _ ->
        let a = rng.NextDouble() * 2.0 * Math.PI
        let r = 0.9 + 0.3 * rng.NextDouble()
        let k = sqrt (sin (Math.PI / 3.0) / (2.0 * cos (Math.PI / 6.0) ** 2)) / r ** 1.5
        let pos = [| for b in 0..2 -> let t = a + float b * 2.0 * Math.PI / 3.0 in r * cos t, r * sin t |]
        let vel =
            pos
            |> Array.map (fun (x, y) ->
                -y * k * (1.0 + 0.2 * (2.0 * rng.NextDouble() - 1.0)), x * k * (1.0 + 0.2 * (2.0 * rng.NextDouble() - 1.0)))
        Array.concat [ Array.map fst pos; Array.map snd pos; Array.map fst vel; Array.map snd vel ])
    |> Array.concat

let time label (f: unit -> double[]) =
    f () |> ignore
    let runs = 3
    let sw = Stopwatch.StartNew()
    for _ in 1..runs do
        f () |> ignore
    printfn "%-58s %7.0f ms" label (sw.Elapsed.TotalMilliseconds / float runs)

let linspace a b n = Array.init n (fun i -> a + (b - a) * float i / float (n - 1))
let rng = Random 0
let y2 = twoBodyStarts rng 1000
let y3 = threeBodyStarts rng 5000
for onThreads in [ false; true ] do
    for atol in [ 1e-6; 1e-9 ] do
        let s = AdaptiveSettings(1e-9, atol, Parallel = onThreads)
        time (sprintf "two-body 1000 × [0, 20] 50 pts, rtol 1e-9 atol %g%s" atol (if onThreads then " par" else "")) (fun () ->
            Ode.Solve(gravity 2, y2, 1000, 8, 0.0, ReadOnlySpan(linspace 0.0 20.0 50), s))
        time (sprintf "three-body 5000 × [0, 5] 20 pts, rtol 1e-9 atol %g%s" atol (if onThreads then " par" else "")) (fun () ->
            Ode.Solve(gravity 3, y3, 5000, 12, 0.0, ReadOnlySpan(linspace 0.0 5.0 20), s))
