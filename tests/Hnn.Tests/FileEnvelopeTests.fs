/// Laws of the checksummed file envelope shared by the dataset caches and the checkpoints: what is written reads
/// back, and every kind of damage is refused with a one-line message through the file kind's own exception.
module Hnn.Tests.FileEnvelopeTests

open System
open System.IO
open System.Security.Cryptography
open Expecto
open Hnn.Data
open Hnn.IO

/// A test kind: its errors are InvalidDataExceptions.
let private kind version =
    FileEnvelope("HNNTEST\000", version, "a test file", 4, "owner", fun path problem -> InvalidDataException(sprintf "%s: %s" path problem))

let private key = [| 1uy; 2uy; 3uy; 4uy |]

let private tempFile () =
    let dir = Path.Combine(Path.GetTempPath(), "hnn-envelope-" + Guid.NewGuid().ToString "N")
    Directory.CreateDirectory dir |> ignore
    Path.Combine(dir, "f.bin")

/// Writes a name block and three doubles.
let private write (envelope: FileEnvelope) path (k: byte[]) =
    envelope.Write(
        path,
        ReadOnlySpan k,
        fun w ->
            FileEnvelope.WriteBlock(w, ReadOnlySpan(Text.Encoding.UTF8.GetBytes "name"))
            FileEnvelope.WriteValues<float>(w, ReadOnlySpan [| 1.0; 2.5; -3.0 |])
    )

let private read (envelope: FileEnvelope) path (k: byte[]) =
    envelope.Read(path, k, fun r -> r.ReadString "name", r.ReadValues<float>(3L, "values"))

/// Replaces the trailing SHA-256, so that a change reaches the checks behind the checksum.
let private rehash (bytes: byte[]) = Array.append bytes[.. bytes.Length - 33] (SHA256.HashData(ReadOnlySpan(bytes, 0, bytes.Length - 32)))

[<Tests>]
let tests =
    testList
        "file envelope"
        [ test "a payload reads back, framed as magic, version, key, payload and the SHA-256 of everything before it" {
              let path = tempFile ()
              write (kind 3) path key
              Expect.equal (read (kind 3) path key) ("name", [| 1.0; 2.5; -3.0 |]) "read back"
              let bytes = File.ReadAllBytes path
              Expect.equal bytes[0..7] ("HNNTEST\000"B) "magic"
              Expect.equal (BitConverter.ToInt32(bytes, 8)) 3 "version"
              Expect.equal bytes[12..15] key "key"
              Expect.equal bytes[bytes.Length - 32 ..] (SHA256.HashData(ReadOnlySpan(bytes, 0, bytes.Length - 32))) "checksum"
              Expect.equal (Directory.GetFiles(nonNull (Path.GetDirectoryName path))) [| path |] "the atomic write leaves no temporary file"
          }
          test "each kind of damage is refused with its own one-line message, naming the file, through the kind's exception" {
              let path = tempFile ()
              write (kind 3) path key
              let good = File.ReadAllBytes path
              let refused (name: string) (bytes: byte[]) (readWith: FileEnvelope) (k: byte[]) (fragment: string) =
                  File.WriteAllBytes(path, bytes)
                  let e = Expect.throwsC (fun () -> read readWith path k |> ignore) id
                  Expect.isTrue (e :? InvalidDataException) (sprintf "%s: the kind's exception, got %O" name e)
                  Expect.stringContains e.Message path (sprintf "%s: names the file" name)
                  Expect.stringContains e.Message fragment (sprintf "%s: says '%s'" name fragment)
                  Expect.isFalse (e.Message.Contains '\n') (sprintf "%s: one line" name)
              let foreign = Array.copy good
              foreign[3] <- byte 'X'
              refused "another kind of file" foreign (kind 3) key "not a test file (bad magic)"
              refused "empty" [||] (kind 3) key "bad magic"
              refused "header only" good[..20] (kind 3) key "truncated"
              refused "an older version" good (kind 4) key "format version 3 is not supported (this library reads version 4)"
              let flipped = Array.copy good
              flipped[20] <- flipped[20] ^^^ 1uy
              refused "a flipped byte" flipped (kind 3) key "checksum mismatch"
              refused "cut short" good[.. good.Length - 9] (kind 3) key "checksum mismatch"
              refused "another key" good (kind 3) [| 9uy; 9uy; 9uy; 9uy |] "written for another owner"
              refused
                  "a payload cut short, checksum intact"
                  (rehash (Array.append good[.. good.Length - 41] good[good.Length - 32 ..]))
                  (kind 3)
                  key
                  "do not fit"
              refused
                  "trailing bytes, checksum intact"
                  (rehash (Array.concat [ good[.. good.Length - 33]; [| 0uy; 0uy |]; good[good.Length - 32 ..] ]))
                  (kind 3)
                  key
                  "2 unexpected bytes after the payload"
              File.Delete path
              let e = Expect.throwsC (fun () -> read (kind 3) path key |> ignore) id
              Expect.stringContains e.Message "no such file" "a missing file"
          }
          test "a key of the wrong length and a magic that is not 8 characters are programming errors" {
              Expect.throwsT<ArgumentException> (fun () -> write (kind 1) (tempFile ()) [| 1uy |]) "short key"
              Expect.throwsT<ArgumentException> (fun () -> FileEnvelope("SHORT", 1, "x", 0, "x", fun p m -> exn m) |> ignore) "short magic"
          }
          test "a dataset cache file of an older format version is regenerated, not used" {
              let dir = nonNull (Path.GetDirectoryName(tempFile ()))
              let recipe = PendulumRecipe(Trajectories = 4, Points = 10)
              let path = DatasetCache.PathFor(dir, recipe)
              let expected = DatasetCache.GetOrCreate(dir, recipe, fun r -> r.Generate())
              let old = File.ReadAllBytes path
              old[8] <- byte (DatasetCache.FormatVersion - 1)
              File.WriteAllBytes(path, rehash old)
              let log = Collections.Generic.List<string>()
              let mutable generated = 0
              let d =
                  DatasetCache.GetOrCreate(
                      dir,
                      recipe,
                      (fun r ->
                          generated <- generated + 1
                          r.Generate()),
                      Action<string> log.Add
                  )
              Expect.equal generated 1 "generated again"
              Expect.exists log (fun l -> l.Contains "format version") (sprintf "the old version is named: %A" log)
              Expect.equal d.TrainX.Values expected.TrainX.Values "the same data"
              Expect.equal (BitConverter.ToInt32(File.ReadAllBytes path, 8)) DatasetCache.FormatVersion "the file is current again"
          } ]
