/// What the laws are checked on: a learned model, a true system, or a fixed-step method on a system, each with the
/// phase-space domain its states are drawn from.
namespace Hnn.Physics

open Hnn
open Hnn.Integrators
open Hnn.Models
open Hnn.Systems

/// What the laws are checked on.
type Subject =
    /// A learned model of any family, with the true system it models if known: its H serves a baseline and a step map,
    /// and its Legendre map (q, p) → (q, ∂H/∂p) takes a Lagrangian network to the canonical coordinates the laws use.
    | Model of name: string * model: DynamicsModel * system: IHamiltonianSystem option * domain: Domain
    /// A true Hamiltonian system, its flow computed by Dormand–Prince at the reference tolerance.
    | TrueSystem of system: IHamiltonianSystem * domain: Domain
    /// A fixed-step method applied to a true system, at the settings' step.
    | Integrator of stepMethod: IFixedStepMethod * system: IHamiltonianSystem * domain: Domain

/// Subjects made and named.
module Subject =
    /// A learned model as a subject: `Subject.model domain (Some system) "HNN" net`.
    let model (domain: Domain) (system: IHamiltonianSystem option) (name: string) (net: DynamicsModel) = Model(name, net, system, domain)

    /// A true system as a subject.
    let trueSystem (domain: Domain) (system: IHamiltonianSystem) = TrueSystem(system, domain)

    /// A fixed-step method on a true system as a subject.
    let integrator (domain: Domain) (system: IHamiltonianSystem) (stepMethod: IFixedStepMethod) = Integrator(stepMethod, system, domain)

    /// The subject's name, e.g. "RK4 on spring".
    let name subject =
        match subject with
        | Model(name, _, _, _) -> name
        | TrueSystem(s, _) -> s.Name
        | Integrator(m, s, _) -> sprintf "%s on %s" m.Name s.Name

    /// The region of phase space the subject's states are drawn from.
    let domain subject =
        match subject with
        | Model(_, _, _, d)
        | TrueSystem(_, d)
        | Integrator(_, _, d) -> d
