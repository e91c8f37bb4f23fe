/// TorchSharp 0.107 hands libtorch the native handle of a Scalar without keeping the managed Scalar alive, and its
/// implicit number → Scalar conversions (in `x + 1.0`, `x.add(y)`'s alpha, `square()`'s exponent …) make temporaries
/// that only a finalizer frees: a collection during the native call can free one mid-call (libtorch then fails c10's
/// "toFloat" check or reads garbage). These tests hold the project to owning every Scalar it hands over.
module Hnn.Tests.ScalarSafetyTests

open System
open System.Collections.Generic
open System.Reflection
open System.Reflection.Emit
open System.Threading
open Expecto
open TorchSharp
open Hnn.Tensors

/// The methods a method body calls (call, callvirt, newobj, ldftn), read from its IL.
module private Il =
    let private opcodes =
        typeof<OpCodes>.GetFields(BindingFlags.Public ||| BindingFlags.Static)
        |> Array.map (fun f -> f.GetValue null :?> OpCode)
    let private oneByte = opcodes |> Array.filter (fun o -> o.Size = 1) |> Array.map (fun o -> int (uint16 o.Value), o) |> dict
    let private twoByte = opcodes |> Array.filter (fun o -> o.Size = 2) |> Array.map (fun o -> int (uint16 o.Value &&& 0xffus), o) |> dict

    let private operandSize (o: OpCode) (il: byte[]) (pos: int) =
        match o.OperandType with
        | OperandType.InlineNone -> 0
        | OperandType.ShortInlineBrTarget
        | OperandType.ShortInlineI
        | OperandType.ShortInlineVar -> 1
        | OperandType.InlineVar -> 2
        | OperandType.InlineI8
        | OperandType.InlineR -> 8
        | OperandType.InlineSwitch -> 4 + 4 * BitConverter.ToInt32(il, pos)
        | _ -> 4

    let calls (m: MethodBase) : MethodBase list =
        match
            (try
                m.GetMethodBody()
             with _ ->
                 null)
        with
        | null -> []
        | body ->
            let il = body.GetILAsByteArray() |> nonNull
            let typeArgs: Type[] | null =
                match m.DeclaringType with
                | NonNull t when t.IsGenericType -> t.GetGenericArguments()
                | _ -> null
            let methodArgs: Type[] | null = if m.IsGenericMethod then m.GetGenericArguments() else null
            let mutable pos = 0
            [ while pos < il.Length do
                  let o =
                      if il[pos] = 0xFEuy then
                          pos <- pos + 1
                          twoByte[int il[pos]]
                      else
                          oneByte[int il[pos]]
                  pos <- pos + 1
                  if o.OperandType = OperandType.InlineMethod then
                      match
                          (try
                              m.Module.ResolveMethod(BitConverter.ToInt32(il, pos), typeArgs, methodArgs)
                           with _ ->
                               null)
                      with
                      | null -> ()
                      | target -> yield target
                  pos <- pos + operandSize o il pos ]

    let allMethods (assembly: Assembly) : MethodBase seq =
        let types =
            try
                assembly.GetTypes()
            with :? ReflectionTypeLoadException as e ->
                e.Types |> Array.choose Option.ofObj
        let flags =
            BindingFlags.Instance
            ||| BindingFlags.Static
            ||| BindingFlags.Public
            ||| BindingFlags.NonPublic
            ||| BindingFlags.DeclaredOnly
        seq {
            for t in types do
                yield! t.GetMethods flags |> Seq.cast<MethodBase>
                yield! t.GetConstructors flags |> Seq.cast<MethodBase>
        }

/// The full name of a method's declaring type, or "" for a global method.
let private declaringName (m: MethodBase) =
    match m.DeclaringType with
    | null -> ""
    | t -> t.FullName |> Option.ofObj |> Option.defaultValue t.Name

let private key (m: MethodBase) =
    let parameters = m.GetParameters() |> Array.map (fun p -> p.ParameterType.Name) |> String.concat ","
    sprintf "%s.%s(%s)" (declaringName m) m.Name parameters

/// TorchSharp's methods that make a Scalar temporary, directly (an implicit conversion or ToScalar) or through
/// another such method of TorchSharp.
let private scalarMakers =
    lazy
        let torchSharp = typeof<torch.Tensor>.Assembly
        let makes (m: MethodBase) = (m.DeclaringType = typeof<Scalar> && m.Name = "op_Implicit") || m.Name = "ToScalar"
        let callers = Dictionary<string, HashSet<string>>()
        let direct = HashSet<string>()
        for m in Il.allMethods torchSharp do
            let k = key m
            for target in Il.calls m do
                if makes target then
                    direct.Add k |> ignore
                elif
                    (match target.DeclaringType with
                     | null -> false
                     | t -> t.Assembly = torchSharp)
                then
                    let tk = key target
                    match callers.TryGetValue tk with
                    | true, set -> set.Add k |> ignore
                    | _ -> callers[tk] <- HashSet [ k ]
        // Close over "calls a maker" within TorchSharp.
        let makers = HashSet<string>(direct)
        let queue = Queue<string>(direct)
        while queue.Count > 0 do
            match callers.TryGetValue(queue.Dequeue()) with
            | true, set ->
                for c in set do
                    if makers.Add c then
                        queue.Enqueue c
            | _ -> ()
        makers

/// Our types that make Scalars on purpose and keep each alive for its call (disposed after it, or held statically).
let private owners = set [ typeof<Scalars>.FullName; typeof<Hnn.Training.AdamOptimizer>.FullName; typeof<Hnn.Training.FlatAdam>.FullName ]

let private offences (assembly: Assembly) =
    [ for m in Il.allMethods assembly do
          let owner = declaringName m
          if not (owners.Contains owner) then
              for target in Il.calls m do
                  let k = key target
                  if
                      (target.DeclaringType = typeof<Scalar> && target.Name = "op_Implicit")
                      || target.Name = "ToScalar"
                      || scalarMakers.Value.Contains k
                  then
                      yield sprintf "%s calls %s" (key m) k ]
    |> List.distinct

[<Tests>]
let tests =
    testList
        "TorchSharp scalars"
        [ test "the reader finds TorchSharp's Scalar temporaries where they are known to be (x + 1.0, add's alpha, square)" {
              let makers = scalarMakers.Value
              for known in
                  [ "TorchSharp.torch+Tensor.op_Addition(Tensor,Double)"
                    "TorchSharp.torch+Tensor.add(Tensor)"
                    "TorchSharp.torch+Tensor.square()"
                    "TorchSharp.Modules.Adam.<step>b__2_0(ParamGroup)" ] do
                  Expect.isTrue (makers.Contains known) (sprintf "%s makes a Scalar temporary" known)
              Expect.isFalse (makers.Contains "TorchSharp.torch+Tensor.mul(Tensor)") "a product of two tensors makes none"
          }

          test "no code of Hnn.Core hands libtorch a Scalar it does not keep alive" {
              let found = offences typeof<Hnn.Models.DynamicsModel>.Assembly
              Expect.isEmpty found (sprintf "use Hnn.Tensors.Scalars instead:\n%s" (String.Join("\n", found)))
          }

          test "no code of Hnn.Fs hands libtorch a Scalar it does not keep alive" {
              let found = offences typeof<Hnn.Hamiltonian>.Assembly
              Expect.isEmpty found (sprintf "use TensorMath's operators or Hnn.Tensors.Scalars instead:\n%s" (String.Join("\n", found)))
          }

          test "owned scalars survive garbage collections forced on another thread during libtorch calls" {
              // With TorchSharp's implicit Scalars a loop of one such call failed here within 14 000–210 000 calls (c10
              // "toFloat"); this one makes 7 scalar calls an iteration, 70 000 in all (a collection loop on another
              // thread stalls this one, so more iterations would cost minutes).
              use x = torch.ones ([| 16L |], dtype = torch.float32)
              let mutable running = true
              let collector =
                  Thread(
                      (fun () ->
                          while Volatile.Read &running do
                              GC.Collect 0),
                      IsBackground = true
                  )
              collector.Start()
              let mutable wrong = 0
              try
                  for _ in 1..10_000 do
                      use _scope = torch.NewDisposeScope()
                      let y = x.Plus(1.0).Times(3.0).Plus(x).Squared().AddScaled(x, -2.0).DividedBy(2.0)
                      // ((1 + 1)·3 + 1)² − 2 = 47, halved: 23.5
                      if y[0L].item<float32>() <> 23.5f then
                          wrong <- wrong + 1
              finally
                  Volatile.Write(&running, false)
                  collector.Join()
              Expect.equal wrong 0 "every result is exact"
          } ]
