namespace Hnn

open System
open TorchSharp
open Hnn.Integrators


/// Named real parameters of a Hamiltonian, e.g. g = 9.81, l = 1.
type Parameters = Map<string, float>

/// A Hamiltonian system written in F#: H(q, p) over a batch, with its dimension and metadata. The state is
/// x = (q, p) of size 2n; q and p are handed to `Energy` as [N, n] tensors (float64 for data and evaluation)
/// and it returns H at each of the N states, [N] (or [N, 1]). The field dx/dt = (∂H/∂p, −∂H/∂q) comes from
/// autograd unless a closed form is supplied. Build with `Hamiltonian.create`, compose with `+`, `*`,
/// `Hamiltonian.product` and `Hamiltonian.couple`. Functions have no equality: neither has a Hamiltonian.
[<NoEquality; NoComparison>]
type Hamiltonian =
    {
        /// A short name, used in reports and dataset cache keys.
        Name: string
        /// Degrees of freedom n; the state has 2n coordinates.
        DegreesOfFreedom: int
        /// Names of the n generalised coordinates (the momenta are named "p_" + each).
        Coordinates: string list
        /// Current parameter values, handed to `Energy` and `ClosedFormField`.
        Parameters: Parameters
        /// H(parameters, q, p) → [N].
        Energy: Parameters -> torch.Tensor -> torch.Tensor -> torch.Tensor
        /// dx/dt(parameters, x [N, 2n]) → [N, 2n] in closed form, if known; otherwise autograd of `Energy`.
        ClosedFormField: (Parameters -> torch.Tensor -> torch.Tensor) option
        /// Separability H = T(p) + V(q) as declared (Some) or unknown (None: detect by autograd).
        Separable: bool option
    }

    /// State dimension 2n.
    member h.Dimension = 2 * h.DegreesOfFreedom

    override h.ToString() = sprintf "%s (n = %d)" h.Name h.DegreesOfFreedom

/// Functions on Hamiltonians: construction, energy and field, combinators with algebraic laws (sum commutes and
/// associates, scaling distributes over sum, a product's field is the block of its factors' fields, coupling adds
/// the coupling term's field), separability and the integrator it calls for.
[<RequireQualifiedAccess>]
module Hamiltonian =
    let private defaultCoordinates n = if n = 1 then [ "q" ] else List.init n (fun i -> sprintf "q%d" (i + 1))

    /// A Hamiltonian with named parameters: H(parameters, q, p), e.g.
    /// `Hamiltonian.parametric 1 [ "g", 9.81 ] (fun k q p -> p ** 2.0 / 2.0 + k["g"] * (1.0 - cos q))`.
    let parametric (n: int) (parameters: (string * float) list) (energy: Parameters -> torch.Tensor -> torch.Tensor -> torch.Tensor) =
        if n < 1 then
            invalidArg (nameof n) (sprintf "degrees of freedom must be positive, got %d" n)
        { Name = "H"
          DegreesOfFreedom = n
          Coordinates = defaultCoordinates n
          Parameters = Map.ofList parameters
          Energy = energy
          ClosedFormField = None
          Separable = None }

    /// A Hamiltonian of n degrees of freedom from H(q, p) with q, p [N, n] tensors, e.g.
    /// `Hamiltonian.create 1 (fun q p -> p ** 2.0 / 2.0 + 1.0 - cos q)`.
    let create (n: int) (energy: torch.Tensor -> torch.Tensor -> torch.Tensor) : Hamiltonian = parametric n [] (fun _ q p -> energy q p)

    /// Gives the Hamiltonian a name.
    let named (name: string) (h: Hamiltonian) = { h with Name = name }

    /// Names the n coordinates (momenta are "p_" + each).
    let withCoordinates (names: string list) (h: Hamiltonian) =
        if names.Length <> h.DegreesOfFreedom then
            invalidArg (nameof names) (sprintf "%s has %d degrees of freedom, got %d names" h.Name h.DegreesOfFreedom names.Length)
        { h with Coordinates = names }

    /// Supplies the field dx/dt(parameters, x) in closed form, used instead of autograd.
    let withField (field: Parameters -> torch.Tensor -> torch.Tensor) (h: Hamiltonian) = { h with ClosedFormField = Some field }

    /// Declares whether H = T(p) + V(q) (skips detection).
    let declareSeparable (separable: bool) (h: Hamiltonian) = { h with Separable = Some separable }

    /// Maps the parameter values (the laws: `mapParameters id = id`, `mapParameters f >> mapParameters g = mapParameters (f >> g)`).
    let mapParameters (f: Parameters -> Parameters) (h: Hamiltonian) = { h with Parameters = f h.Parameters }

    /// Sets one parameter, which must exist.
    let withParameter (name: string) (value: float) (h: Hamiltonian) =
        if not (h.Parameters.ContainsKey name) then
            invalidArg (nameof name) (sprintf "%s has no parameter '%s' (it has: %s)" h.Name name (String.Join(", ", h.Parameters.Keys)))
        mapParameters (Map.add name value) h

    /// Renames every parameter with f (e.g. to tell apart the parameters of two factors of a product).
    let renameParameters (f: string -> string) (h: Hamiltonian) =
        let names = h.Parameters |> Map.toList |> List.map (fun (k, _) -> k, f k)
        let back (renamed: Parameters) = names |> List.map (fun (k, k') -> k, renamed[k']) |> Map.ofList
        { h with
            Parameters = h.Parameters |> Map.toList |> List.map (fun (k, v) -> f k, v) |> Map.ofList
            Energy = fun prm q p -> h.Energy (back prm) q p
            ClosedFormField = h.ClosedFormField |> Option.map (fun field prm x -> field (back prm) x) }

    /// Prefixes every parameter name with `prefix` + ".".
    let prefixParameters (prefix: string) (h: Hamiltonian) = renameParameters (fun k -> prefix + "." + k) h

    let private split (n: int) (x: torch.Tensor) = x.narrow (1, 0L, int64 n), x.narrow (1, int64 n, int64 n)

    let private energyRows (h: Hamiltonian) (prm: Parameters) (x: torch.Tensor) =
        if x.dim () <> 2L || x.shape[1] <> int64 h.Dimension then
            invalidArg (nameof x) (sprintf "%s: expected states [N, %d], got %A" h.Name h.Dimension x.shape)
        let q, p = split h.DegreesOfFreedom x
        let e = h.Energy prm q p
        let rows = x.shape[0]
        if e.numel () <> rows then
            invalidOp (sprintf "%s: H(q, p) must give one value per state ([%d] or [%d, 1]), got shape %A" h.Name rows rows e.shape)
        e.reshape rows

    /// H at states x [N, 2n] → [N] (differentiable if x requires grad).
    let energy (h: Hamiltonian) (x: torch.Tensor) = energyRows h h.Parameters x

    /// ∂H/∂x at states x [N, 2n] (x is not modified); with createGraph (and x requiring grad) the result stays
    /// differentiable in x.
    let private gradient (h: Hamiltonian) (prm: Parameters) (x: torch.Tensor) (createGraph: bool) =
        use _ = torch.enable_grad ()
        let xg = if createGraph && x.requires_grad then x else x.detach().requires_grad_ true
        // 0·Σx keeps the graph connected when H does not depend on every coordinate (or on any).
        let total = (energyRows h prm xg).sum() + 0.0 * xg.sum ()
        (torch.autograd.grad ([| total |], [| xg |], null, createGraph, createGraph, false))[0]

    let private symplectic (n: int) (dH: torch.Tensor) =
        let dHdq, dHdp = split n dH
        torch.cat ([| dHdp; -dHdq |], 1L)

    /// dx/dt = (∂H/∂p, −∂H/∂q) at states x [N, 2n] by autograd, detached, whatever the closed form.
    let autogradField (h: Hamiltonian) (x: torch.Tensor) : torch.Tensor =
        use scope = torch.NewDisposeScope()
        let dH = gradient h h.Parameters x false
        (symplectic h.DegreesOfFreedom dH).detach().MoveToOuterDisposeScope()

    /// dx/dt at states x [N, 2n]: the closed form if supplied, else autograd; detached.
    let field (h: Hamiltonian) (x: torch.Tensor) : torch.Tensor =
        match h.ClosedFormField with
        | Some f ->
            if x.dim () <> 2L || x.shape[1] <> int64 h.Dimension then
                invalidArg (nameof x) (sprintf "%s: expected states [N, %d], got %A" h.Name h.Dimension x.shape)
            use scope = torch.NewDisposeScope()
            let dx = f h.Parameters x
            if dx.shape <> x.shape then
                invalidOp (sprintf "%s: the closed-form field must give [N, %d] like its input, got %A" h.Name h.Dimension dx.shape)
            dx.detach().MoveToOuterDisposeScope()
        | None -> autogradField h x

    let private row (x: float[]) = torch.tensor(x).reshape(1L, int64 x.Length)

    /// H at one float64 state.
    let energyAt (h: Hamiltonian) (x: float[]) : float =
        use scope = torch.NewDisposeScope()
        (energy h (row x)).item<float>()

    /// dx/dt at one float64 state.
    let fieldAt (h: Hamiltonian) (x: float[]) : float[] =
        use scope = torch.NewDisposeScope()
        (field h (row x)).data<float>().ToArray()

    let private mergeParameters (a: Hamiltonian) (b: Hamiltonian) =
        (a.Parameters, b.Parameters)
        ||> Map.fold (fun acc k v ->
            match Map.tryFind k acc with
            | Some v' when v' <> v ->
                invalidArg
                    "parameters"
                    (sprintf
                        "%s and %s both have parameter '%s' with values %g and %g; rename one (Hamiltonian.prefixParameters)"
                        a.Name
                        b.Name
                        k
                        v'
                        v)
            | _ -> Map.add k v acc)

    let private sameSpace (what: string) (a: Hamiltonian) (b: Hamiltonian) =
        if a.DegreesOfFreedom <> b.DegreesOfFreedom then
            invalidArg
                "b"
                (sprintf
                    "%s needs the same phase space: %s has n = %d, %s has n = %d"
                    what
                    a.Name
                    a.DegreesOfFreedom
                    b.Name
                    b.DegreesOfFreedom)

    /// H_a + H_b on the same phase space (parameters merged; a shared name must have one value). Its field is
    /// the sum of the fields: closed form if both have one.
    let add (a: Hamiltonian) (b: Hamiltonian) : Hamiltonian =
        sameSpace "a sum" a b
        { Name = sprintf "%s + %s" a.Name b.Name
          DegreesOfFreedom = a.DegreesOfFreedom
          Coordinates = a.Coordinates
          Parameters = mergeParameters a b
          Energy = fun prm q p -> a.Energy prm q p + b.Energy prm q p
          ClosedFormField =
            match a.ClosedFormField, b.ClosedFormField with
            | Some fa, Some fb -> Some(fun prm x -> fa prm x + fb prm x)
            | _ -> None
          Separable =
            match a.Separable, b.Separable with
            | Some true, Some true -> Some true
            | Some false, Some true
            | Some true, Some false -> Some false
            | _ -> None }

    /// c·H: the field scales by c (c = 0 gives the zero Hamiltonian, which is separable).
    let scale (c: float) (h: Hamiltonian) : Hamiltonian =
        { h with
            Name = sprintf "%g·(%s)" c h.Name
            Energy = fun prm q p -> c * h.Energy prm q p
            ClosedFormField = h.ClosedFormField |> Option.map (fun f prm x -> c * f prm x)
            Separable = if c = 0.0 then Some true else h.Separable }

    /// The sum of a non-empty list of Hamiltonians on one phase space.
    let sum (hs: Hamiltonian list) =
        match hs with
        | [] -> invalidArg (nameof hs) "the sum of no Hamiltonians has no phase space"
        | h :: rest -> List.fold add h rest

    /// Splits a product state (q_a, q_b, p_a, p_b) into (q_a, p_a) and (q_b, p_b).
    let private factors (na: int) (nb: int) (x: torch.Tensor) =
        let q = x.narrow (1, 0L, int64 (na + nb))
        let p = x.narrow (1, int64 (na + nb), int64 (na + nb))
        let part (t: torch.Tensor) start len = t.narrow (1, int64 start, int64 len)
        (part q 0 na, part p 0 na), (part q na nb, part p na nb)

    /// The direct product of independent systems: H(q_a, q_b, p_a, p_b) = H_a(q_a, p_a) + H_b(q_b, p_b), state
    /// ordered (q_a, q_b, p_a, p_b). Its field is the block of the factors' fields. Coordinate names that collide
    /// get the suffixes 1 (of a) and 2 (of b).
    let product (a: Hamiltonian) (b: Hamiltonian) : Hamiltonian =
        let na, nb = a.DegreesOfFreedom, b.DegreesOfFreedom
        let coordinates =
            let names = a.Coordinates @ b.Coordinates
            if List.distinct names = names then
                names
            else
                (a.Coordinates |> List.map (fun c -> c + "1")) @ (b.Coordinates |> List.map (fun c -> c + "2"))
        let blockField
            (fa: Parameters -> torch.Tensor -> torch.Tensor)
            (fb: Parameters -> torch.Tensor -> torch.Tensor)
            prm
            (x: torch.Tensor)
            =
            let (qa, pa), (qb, pb) = factors na nb x
            let da = fa prm (torch.cat ([| qa; pa |], 1L))
            let db = fb prm (torch.cat ([| qb; pb |], 1L))
            let qda, pda = split na da
            let qdb, pdb = split nb db
            torch.cat ([| qda; qdb; pda; pdb |], 1L)
        { Name = sprintf "%s × %s" a.Name b.Name
          DegreesOfFreedom = na + nb
          Coordinates = coordinates
          Parameters = mergeParameters a b
          Energy =
            fun prm q p ->
                let ea = a.Energy prm (q.narrow (1, 0L, int64 na)) (p.narrow (1, 0L, int64 na))
                let eb = b.Energy prm (q.narrow (1, int64 na, int64 nb)) (p.narrow (1, int64 na, int64 nb))
                ea.reshape (-1L) + eb.reshape (-1L)
          ClosedFormField =
            let autograd (h: Hamiltonian) prm x = symplectic h.DegreesOfFreedom (gradient h prm x false)
            Some(blockField (defaultArg a.ClosedFormField (autograd a)) (defaultArg b.ClosedFormField (autograd b)))
          Separable =
            match a.Separable, b.Separable with
            | Some true, Some true -> Some true
            | Some false, _
            | _, Some false -> Some false
            | _ -> None }

    /// Adds a coupling term V(q, p) (over the whole state of h, e.g. of a product) to h: the field gains the
    /// coupling term's field. Parameters of the term may be given as (name, value).
    let coupleWith (parameters: (string * float) list) (term: Parameters -> torch.Tensor -> torch.Tensor -> torch.Tensor) (h: Hamiltonian) =
        let coupling = { parametric h.DegreesOfFreedom parameters term with Name = "coupling" }
        { add h coupling with Name = sprintf "%s + coupling" h.Name; Coordinates = h.Coordinates }

    /// Adds a parameter-free coupling term V(q, p) to h.
    let couple (term: torch.Tensor -> torch.Tensor -> torch.Tensor) (h: Hamiltonian) = coupleWith [] (fun _ q p -> term q p) h

    /// The largest |∂²H/∂q_i∂p_j| over the given states [N, 2n] (autograd, float64); 0 for a separable H.
    let mixedDerivative (h: Hamiltonian) (states: torch.Tensor) : float =
        use scope = torch.NewDisposeScope()
        use _ = torch.enable_grad ()
        let n = h.DegreesOfFreedom
        let x = states.to_type(torch.ScalarType.Float64).detach().requires_grad_ true
        let dH = gradient h h.Parameters x true
        let connect = 0.0 * x.sum ()
        [ for i in 0 .. n - 1 ->
              let gi = dH.select(1, int64 i).sum() + connect
              let second = torch.autograd.grad ([| gi |], [| x |], null, true, false, false)
              second[0].narrow(1, int64 n, int64 n).abs().max().item<float>() ]
        |> List.max

    /// States [count, 2n] with every coordinate uniform in [−radius, radius] (seeded), float64.
    let sampleBox (h: Hamiltonian) (count: int) (radius: float) (seed: int) : torch.Tensor =
        let rng = Random(seed)
        let values = Array.init (count * h.Dimension) (fun _ -> radius * (2.0 * rng.NextDouble() - 1.0))
        torch.tensor(values).reshape(int64 count, int64 h.Dimension)

    /// Whether ∂²H/∂q∂p vanishes (to 1e-10 relative to the gradient's size) at the given states.
    let isSeparableAt (states: torch.Tensor) (h: Hamiltonian) : bool =
        use scope = torch.NewDisposeScope()
        let scale = (autogradField h (states.to_type torch.ScalarType.Float64)).abs().max().item<float>()
        mixedDerivative h states <= 1e-10 * (1.0 + scale)

    /// Separability as declared, else detected at 32 seeded states in the box [−1.5, 1.5]^2n.
    let isSeparable (h: Hamiltonian) : bool =
        match h.Separable with
        | Some s -> s
        | None ->
            use scope = torch.NewDisposeScope()
            isSeparableAt (sampleBox h 32 1.5 12345) h

    /// Declares the detected (or declared) separability, so later calls need not detect it again.
    let detectSeparability (h: Hamiltonian) = { h with Separable = Some(isSeparable h) }

    /// The symplectic integrator this H calls for: leapfrog (explicit, order 2) when H = T(p) + V(q), else
    /// implicit midpoint (order 2, symplectic for any H).
    let integrator (h: Hamiltonian) : IFixedStepMethod =
        if isSeparable h then
            Leapfrog.Tableau :> IFixedStepMethod
        else
            ImplicitMidpoint.Default :> IFixedStepMethod

    /// The field on a float64 batch (row-major [count, 2n]) as Hnn.Integrators.BatchVectorField: all states in
    /// one torch call. Not for concurrent use: give AdaptiveSettings(Parallel = false) to Ode.Solve.
    let batchField (h: Hamiltonian) : BatchVectorField =
        let d = h.Dimension
        BatchVectorField(fun _ x dxdt count ->
            use scope = torch.NewDisposeScope()
            let xs = torch.tensor(x.Slice(0, count * d).ToArray()).reshape(int64 count, int64 d)
            let values = (field h xs).contiguous().data<float>().ToArray()
            values.AsSpan().CopyTo dxdt)

    /// The flow of H in float64: starts (row-major [K, 2n]) integrated to `times` (from times[0]) with Dormand–Prince
    /// 5(4) at these tolerances, all K in one batch with one step size (Hnn.Integrators.TensorOde.Solve: one torch call
    /// per stage for the whole batch); row-major [K, T, 2n].
    let flow (rtol: float) (atol: float) (h: Hamiltonian) (starts: float[]) (times: float[]) : float[] =
        let d = h.Dimension
        use scope = torch.NewDisposeScope()
        let x0 = torch.tensor(starts).reshape(int64 (starts.Length / d), int64 d)
        let paths = TensorOde.Solve(Func<_, _>(field h), x0, times[0], ReadOnlySpan times, rtol, atol)
        paths.contiguous().data<float>().ToArray()

    /// Integrates starts (row-major [K, 2n]) to `times` (from times[0]) with `integrator h` in fixed steps no
    /// longer than maxStep; row-major [K, T, 2n]. Symplectic whichever H, so energy errors stay bounded.
    let simulate (h: Hamiltonian) (maxStep: float) (starts: float[]) (times: float[]) : float[] =
        let d = h.Dimension
        if starts.Length = 0 || starts.Length % d <> 0 then
            invalidArg (nameof starts) (sprintf "%s: starts must hold whole states of %d values, got %d values" h.Name d starts.Length)
        Ode.SolveFixed(integrator h, batchField h, starts, starts.Length / d, d, times[0], ReadOnlySpan times, maxStep)

/// Operators: `a + b` (sum on one phase space), `c * h` (scaling).
type Hamiltonian with
    /// The sum H_a + H_b on the same phase space.
    static member (+)(a: Hamiltonian, b: Hamiltonian) = Hamiltonian.add a b
    /// c·H.
    static member (*)(c: float, h: Hamiltonian) = Hamiltonian.scale c h
    /// H_a + H_b: what TensorMath's `+` calls (it dispatches by member name).
    static member Add(a: Hamiltonian, b: Hamiltonian) = Hamiltonian.add a b
    /// c·H: what TensorMath's `*` calls.
    static member Multiply(c: float, h: Hamiltonian) = Hamiltonian.scale c h
