/// The command line, declared for Argu. The tasks and models the help names come from `Tasks` (its task lists and
/// model-kind table), so the help lists every one that exists.
module Hnn.Cli.Arguments

open System
open Argu
open Hnn
open Hnn.Models

/// The keys of these tasks, for a help text: "spring, pendulum, …".
let private taskKeys (tasks: Hnn.Tasks.Task list) = tasks |> List.map _.Key |> String.concat ", "

/// The keys of these model kinds, for a help text: "baseline, hnn, …".
let private modelKeys (kinds: ModelKind list) = kinds |> List.map Hnn.Tasks.modelKey |> String.concat ", "

/// The model kind of `key` given to `option` (--model, --models, --kind), or a one-line error listing the keys.
let modelKind (option: string) (key: string) =
    match Hnn.Tasks.tryModelKind key with
    | Ok kind -> kind
    | Error e -> raise (ArgumentException(sprintf "%s: %s" option e))

/// How a sampled model's hidden layer is drawn (swim itself needs the true H, which a run does not give a fit).
type SamplerArg =
    | Auto
    | Elm
    | Uniform_Swim
    | A_Swim

/// What the training loss compares.
type SupervisionArg =
    | Derivative
    | Integrator

let private hiddenUsage =
    "trained models with hidden layers: neurons per hidden layer (default 200, the paper's; a G-SympNet's gradient modules); at least 1."

let private layersUsage =
    sprintf
        "SympNets: modules composed (default: la-sympnet %d linear modules with activation modules between them, g-sympnet %d gradient modules); at least 1."
        Hnn.Models.SympNets.LaSympNet.DefaultLayers
        Hnn.Models.SympNets.GSympNet.DefaultLayers

let private relativeRidgeUsage =
    "lnn: μ of the Euler–Lagrange solve's ridge relative to the velocity Hessian's scale (default 0.01); zero or positive."

// The recipe's and the run folder's options, the same for `train` and for `reproduce`/`run`.
let private lrUsage =
    sprintf
        "Adam learning rate (default: the task's, 1e-3; %g times that for the SympNets and %g times for the LNN); positive."
        Tasks.laSympNetRecipe.Minibatches.RateFactor
        Tasks.lnnRecipe.Minibatches.RateFactor

let private lrDecayUsage =
    sprintf
        "decay the learning rate exponentially to lr/FACTOR at the last step (default: the recipe's, 1: constant, %g for the SympNets, %g for the LNN when trained in minibatches); 1 or more."
        Tasks.laSympNetRecipe.Minibatches.RateDecay
        Tasks.lnnRecipe.Minibatches.RateDecay

let private weightDecayUsage =
    "Adam weight decay (default: the task's; none for the LA-SympNet, nor for the G-SympNet when trained in minibatches); zero or positive."

let private batchSizeUsage = "minibatch size (default: the task's); at least 1."

let private clipGradNormUsage = "clip the gradients' global L2 norm to this (default: no clipping); positive."

let private checkpointEveryUsage = "checkpoint every N steps into OUT/checkpoints (default 100; 0: only at the end and on Ctrl-C)."

let private resumeUsage = "continue the interrupted run in --out from its checkpoints (bit-identical to an uninterrupted run)."

let private forceUsage = "write into an output folder that already holds another run's results."

/// Options of `train`.
type TrainArgs =
    | [<AltCommandLine("-t")>] Task of key: string
    | Csv of file: string
    | Test_Fraction of fraction: float
    | [<Mandatory; AltCommandLine("-m")>] Model of key: string
    | Steps of count: int
    | Seed of seed: int
    | Threads of count: int
    | Supervision of SupervisionArg
    | Integrator of name: string
    | Substeps of count: int
    | No_Eval
    | Momentum_Symmetric
    | Width of neurons: int
    | Sampler of SamplerArg
    | Hidden of neurons: int
    | Relative_Ridge of mu: float
    | Layers of count: int
    | Data of file: string
    | Out of dir: string
    | Lr of rate: float
    | Lr_Decay of factor: float
    | Batch_Size of size: int
    | Weight_Decay of decay: float
    | Clip_Grad_Norm of norm: float
    | Checkpoint_Every of steps: int
    | Resume
    | Force

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Task _ -> sprintf "task: %s (or give --csv)." (taskKeys Hnn.Tasks.known)
            | Csv _ ->
                "train on your own trajectories: a CSV with columns t, trajectory, the coordinates (and optionally d<coordinate>); times may be uneven."
            | Test_Fraction _ -> "with --csv: the fraction of trajectories held out for testing and evaluation (default 0.2; in (0, 1))."
            | Momentum_Symmetric -> "HNN: learn an H even in p, time-reversible by construction (beyond the paper)."
            | Width _ ->
                "sampled models: neurons per learned function, the largest width tried (default 400; Width/8, /4, /2 are tried too)."
            | Sampler _ ->
                "sampled models: how the hidden layer is drawn (default auto: ELM, uniform SWIM and A-SWIM compared at a quarter of the width, the best fitted at full width)."
            | Hidden _ -> hiddenUsage
            | Relative_Ridge _ -> relativeRidgeUsage
            | Layers _ -> layersUsage
            | Data _ -> "for real-pendulum: measurements in Schmidt & Lipson's format (default: the vendored data/real_pend_h_1.txt)."
            | Model _ ->
                sprintf
                    "model to train: %s (the sampled ones are fitted by least squares, no steps); beyond the HNN: %s."
                    (modelKeys Hnn.Tasks.modelKinds)
                    (modelKeys Hnn.Tasks.familyKinds)
            | Steps _ ->
                sprintf
                    "training steps (default: the paper's for the task; %d times that for the SympNets, %d times for the LNN)."
                    Hnn.Tasks.laSympNetRecipe.StepFactor
                    Hnn.Tasks.lnnRecipe.StepFactor
            | Seed _ -> "random seed for data, weights and minibatches (default 0)."
            | Threads _ -> "torch threads (default: all cores)."
            | Supervision _ -> "loss on dx/dt (the paper's, default) or on the next observed state after an integrator step."
            | Integrator _ -> "integrator for --supervision integrator: rk4 (default), leapfrog or yoshida4."
            | Substeps _ -> "integrator steps per observed interval (default 1)."
            | No_Eval -> "skip the energy protocol after training."
            | Out _ -> "output folder for results.json, results.md and models (default results)."
            | Lr _ -> lrUsage
            | Lr_Decay _ -> lrDecayUsage
            | Batch_Size _ -> batchSizeUsage
            | Weight_Decay _ -> weightDecayUsage
            | Clip_Grad_Norm _ -> clipGradNormUsage
            | Checkpoint_Every _ -> checkpointEveryUsage
            | Resume -> resumeUsage
            | Force -> forceUsage

/// Options of `reproduce` (and `run`, the main job).
type ReproduceArgs =
    | Tasks of keys: string list
    | Models of keys: string list
    | Steps of count: int
    | Seed of seed: int
    | Threads of count: int
    | Supervision of SupervisionArg
    | Integrator of name: string
    | Substeps of count: int
    | Width of neurons: int
    | Sampler of SamplerArg
    | Hidden of neurons: int
    | Relative_Ridge of mu: float
    | Layers of count: int
    | No_Eval
    | Out of dir: string
    | Lr of rate: float
    | Lr_Decay of factor: float
    | Batch_Size of size: int
    | Weight_Decay of decay: float
    | Clip_Grad_Norm of norm: float
    | Checkpoint_Every of steps: int
    | Resume
    | Force
    | Jobs of count: int

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Jobs _ ->
                "run each task's models as independent jobs in N worker processes (a local sweep in OUT/sweep, gathered into OUT; --threads per job, default 1)."
            | Tasks _ -> sprintf "tasks to run (default: %s; also: %s)." (taskKeys Hnn.Tasks.keyed) (taskKeys Hnn.Tasks.benchmarks)
            | Models _ ->
                sprintf
                    "models on the numeric tasks (default: %s; also: %s; the pixel pendulum trains %s)."
                    (modelKeys Hnn.Tasks.modelKinds)
                    (modelKeys Hnn.Tasks.familyKinds)
                    (modelKeys Hnn.PixelPendulum.modelKinds)
            | Steps _ ->
                sprintf
                    "training steps per model (default: the paper's per task; %d times that for the SympNets, %d times for the LNN)."
                    Hnn.Tasks.laSympNetRecipe.StepFactor
                    Hnn.Tasks.lnnRecipe.StepFactor
            | Seed _ -> "random seed (default 0)."
            | Threads _ -> "torch threads (default: all cores)."
            | Supervision _ -> "loss on dx/dt (default) or on the next observed state."
            | Integrator _ -> "integrator for --supervision integrator: rk4 (default), leapfrog or yoshida4."
            | Substeps _ -> "integrator steps per observed interval (default 1)."
            | Width _ -> "sampled models: neurons per learned function, the largest width tried (default 400)."
            | Sampler _ -> "sampled models: how the hidden layer is drawn (default auto)."
            | Hidden _ -> hiddenUsage
            | Relative_Ridge _ -> relativeRidgeUsage
            | Layers _ -> layersUsage
            | No_Eval -> "skip the energy protocols."
            | Out _ -> "output folder (default results)."
            | Lr _ -> lrUsage
            | Lr_Decay _ -> lrDecayUsage
            | Batch_Size _ -> batchSizeUsage
            | Weight_Decay _ -> weightDecayUsage
            | Clip_Grad_Norm _ -> clipGradNormUsage
            | Checkpoint_Every _ -> checkpointEveryUsage
            | Resume -> resumeUsage
            | Force -> forceUsage

/// Options of `evaluate`.
type EvaluateArgs =
    | [<Mandatory; AltCommandLine("-m")>] Model of file: string

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Model _ -> "model file (.json) written by train, run or reproduce."

/// Options of `native`.
type NativeArgs =
    | Check
    | Restore

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Check -> "only report; do not patch."
            | Restore -> "first download TorchSharp's shim and libtorch into the NuGet cache (an installed hnn tool carries neither)."

/// Options of `check`.
type CheckArgs =
    | [<Mandatory; AltCommandLine("-m")>] Model of file: string
    | Laws of keys: string list

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Model _ -> "saved model file(s) to check (repeat for several, e.g. the HNN and the baseline of a task)."
            | Laws _ -> "laws to check: energy, drift, reversibility, symplecticity, liouville (default: all)."

/// Options of `report`.
type ReportArgs =
    | Results of dir: string
    | Check
    | Readme of file: string

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Results _ ->
                "output folder of a run (default results): writes DIR/reports/<task>.html and index.html; of a sweep (DIR/sweep.json): merges its jobs into DIR/results.json, results.md and reports/sweep.html."
            | Check -> "then open every page in headless Chromium (offline) and fail on a chart that did not draw."
            | Readme _ -> "only rewrite the results table between the marker comments in FILE (README.md) from DIR/results.json."

/// A part of `bench` that can run alone.
type BenchPart =
    | Sampled
    | Throughput

/// Options of `bench`.
type BenchArgs =
    | Quick
    | Only of BenchPart
    | Threads of count: int
    | Out of dir: string
    | Models of dir: string

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Quick -> "fewer steps and rounds; no whole runs and no 10⁴-step memory run."
            | Only _ ->
                "sampled: only the sampled HNN against the Adam HNN, side by side (fit vs training time, energy MSE, test loss); throughput: only the HNN training step against the matrix product, with the flat-buffer Adam and the per-parameter one side by side, with its targets; either kept in OUT/results.json beside the other figures."
            | Threads _ -> "torch threads (default: all cores)."
            | Out _ -> "folder for results.json (default bench); whole runs go to DIR/out/runs."
            | Models _ ->
                "time the energy protocols on the trained models in DIR/models (default: the whole runs' models; with --quick: results/models)."

/// Weight file formats of `export` and `import`.
type WeightsFormat = | Pytorch

/// Options of `export`.
type ExportArgs =
    | [<Mandatory; AltCommandLine("-m")>] Model of file: string
    | [<Mandatory>] Format of WeightsFormat
    | Check_Values of file: string
    | [<MainCommand; ExactlyOnce>] Output of file: string

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Model _ -> "model file (.json) written by train, run, reproduce or import."
            | Format _ -> "pytorch: a state dict in the reference implementation's layout (torch.load, then load_state_dict)."
            | Check_Values _ ->
                "also write a JSON file of sample states with this model's outputs on them (for scripts/check-pytorch-export.py)."
            | Output _ -> "the weights file to write (e.g. model.pt)."

/// Options of `import`.
type ImportArgs =
    | [<Mandatory>] Format of WeightsFormat
    | [<Mandatory; AltCommandLine("-t")>] Task of key: string
    | [<Mandatory>] Kind of key: string
    | [<Mandatory; AltCommandLine("-o")>] Out of file: string
    | Nonlinearity of name: string
    | Force
    | [<MainCommand; ExactlyOnce>] Input of file: string

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Format _ ->
                "pytorch: a state dict of the reference implementation's HNN (or baseline), saved with torch.save(model.state_dict(), ...)."
            | Task _ -> "the task the weights belong to (sets the state dimension and what evaluate and check compare with)."
            | Kind _ -> "the model the weights are: hnn (field_type 'solenoidal'), baseline, or dissipative-hnn (field_type 'both')."
            | Out _ -> "the model file to write (.json, with its .weights beside it)."
            | Nonlinearity _ -> "the MLP's nonlinearity: tanh (default), relu, sigmoid, softplus, selu, elu or swish."
            | Force -> "overwrite --out if it exists."
            | Input _ -> "the weights file to read (e.g. model.pt)."

/// Options of `sweep`.
type SweepArgs =
    | Tasks of keys: string list
    | Models of keys: string list
    | Except of pairs: string list
    | Seeds of seeds: int list
    | [<CustomCommandLine("--set")>] Setting of spec: string
    | No_Eval
    | Checkpoint_Every of steps: int
    | Out of dir: string
    | Jobs of count: int
    | Threads of count: int
    | Slurm
    | Dry_Run
    | Partition of name: string
    | Time of limit: string
    | Mem of size: string
    | Cpus_Per_Task of count: int
    | K8s
    | Image of name: string
    | Volume_Claim of name: string

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Tasks _ ->
                sprintf
                    "tasks (default: every numeric task: %s; also: %s, %s)."
                    (taskKeys Hnn.Tasks.every)
                    Hnn.Tasks.pixelPendulum.Key
                    (taskKeys Hnn.Tasks.benchmarks)
            | Models _ ->
                sprintf
                    "models (default: %s; also: %s; the pixel pendulum trains %s)."
                    (modelKeys Hnn.Tasks.modelKinds)
                    (modelKeys Hnn.Tasks.familyKinds)
                    (modelKeys Hnn.PixelPendulum.modelKinds)
            | Except _ -> "TASK/MODEL pairs left out of tasks × models (e.g. spring/dissipative-hnn)."
            | Seeds _ -> "seeds, one job each (default 0)."
            | Setting _ ->
                "NAME=V1[,V2…]: a setting and its values, one job per value (repeatable); names: "
                + (Sweep.settings |> List.map _.Name |> String.concat ", ")
                + "."
            | No_Eval -> "skip the energy protocols."
            | Checkpoint_Every _ -> "each job checkpoints every N steps (default 100; 0: only at the end and when stopped)."
            | Out _ ->
                "the sweep folder (default sweep): sweep.json, jobs/<task>/<model>/seed-<s>[/<settings>], logs/; rerun the same command to continue it."
            | Jobs _ -> "local: worker processes at a time (default: one per core)."
            | Threads _ -> "local: torch threads per worker (default 1)."
            | Slurm -> "write SWEEP_DIR/sweep.sbatch (a job array over the jobs) and submit it with sbatch."
            | Dry_Run -> "with --slurm: write the batch script, do not submit it."
            | Partition _ -> "Slurm partition (default: the cluster's)."
            | Time _ -> "Slurm time limit per job, e.g. 30, 1:00:00 or 1-0 (default: the partition's)."
            | Mem _ -> "memory per job, e.g. 2G (Slurm; Kubernetes as 2Gi)."
            | Cpus_Per_Task _ -> "CPUs per job and its torch threads (Slurm and Kubernetes; default 1)."
            | K8s -> "write SWEEP_DIR/sweep-job.yaml, a Kubernetes Indexed Job over the jobs (not applied; untested here: no cluster)."
            | Image _ -> "with --k8s: container image with hnn on its PATH (default hnn:latest)."
            | Volume_Claim _ ->
                "with --k8s: PersistentVolumeClaim holding the sweep folder, mounted at its absolute path (default hnn-sweep)."

/// Options of `job`.
type JobArgs =
    | [<MainCommand; ExactlyOnce; First>] Target of sweep_dir: string * index: int
    | Threads of count: int

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Target _ -> "the sweep folder and the job's index in its sweep.json (0-based)."
            | Threads _ -> "torch threads (default 1; a job's result depends on it)."

/// The top-level commands.
[<RequireSubcommand>]
type Command =
    | [<CliPrefix(CliPrefix.None)>] Train of ParseResults<TrainArgs>
    | [<CliPrefix(CliPrefix.None)>] Reproduce of ParseResults<ReproduceArgs>
    | [<CliPrefix(CliPrefix.None)>] Run of ParseResults<ReproduceArgs>
    | [<CliPrefix(CliPrefix.None)>] Evaluate of ParseResults<EvaluateArgs>
    | [<CliPrefix(CliPrefix.None)>] Check of ParseResults<CheckArgs>
    | [<CliPrefix(CliPrefix.None)>] Report of ParseResults<ReportArgs>
    | [<CliPrefix(CliPrefix.None)>] Bench of ParseResults<BenchArgs>
    | [<CliPrefix(CliPrefix.None)>] Native of ParseResults<NativeArgs>
    | [<CliPrefix(CliPrefix.None)>] Export of ParseResults<ExportArgs>
    | [<CliPrefix(CliPrefix.None)>] Import of ParseResults<ImportArgs>
    | [<CliPrefix(CliPrefix.None)>] Sweep of ParseResults<SweepArgs>
    | [<CliPrefix(CliPrefix.None)>] Job of ParseResults<JobArgs>

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Train _ -> "train one model on one task, evaluate it and record its metrics."
            | Reproduce _ -> "reproduce the paper's table: baseline and HNN on each task, beside the paper's numbers."
            | Run _ -> "the main job: reproduce all six tasks (same options as reproduce)."
            | Evaluate _ -> "compute a saved model's losses and energy metrics on its task."
            | Check _ -> "property-based physics checks of saved models: law, value, threshold (exit 1 if a law fails)."
            | Report _ -> "rebuild the HTML reports of a run from its saved results, artifacts and models."
            | Bench _ -> "measure data generation, training and evaluation speed and memory; writes bench/results.json."
            | Native _ -> "check (and fix) that TorchSharp's native libraries load here."
            | Export _ -> "write a saved model's weights for PyTorch (the reference implementation's state-dict layout)."
            | Import _ -> "read PyTorch weights in the reference layout into a model file for evaluate, check and report."
            | Sweep _ ->
                "tasks × models × seeds × settings as independent jobs: on local cores, as a Slurm array or a Kubernetes Indexed Job."
            | Job _ -> "run one job of a sweep (what each worker and array task runs)."
