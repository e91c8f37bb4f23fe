/// A sweep on a cluster: the scheduler schedules, retries and places; Hnn only writes its job list as a Slurm
/// job array (`SWEEP_DIR/sweep.sbatch`, submitted with `sbatch`) or a Kubernetes Indexed Job
/// (`SWEEP_DIR/sweep-job.yaml`). Every array task or index runs `hnn job SWEEP_DIR INDEX`.
module Hnn.SweepCluster

open System
open System.Diagnostics
open System.IO
open System.Text.Json
open System.Text.RegularExpressions
open Hnn.IO
open Hnn.Sweep

/// What each array task asks Slurm for; None leaves the cluster's default.
type Resources =
    {
        Partition: string option
        /// Wall-time limit in one of Slurm's forms: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS.
        Time: string option
        /// Memory per node: a whole number with an optional K, M, G or T suffix (MiB without).
        Mem: string option
        /// CPUs per task; the job runs with as many torch threads.
        CpusPerTask: int
    }

/// One CPU, the cluster's defaults otherwise.
let defaults = { Partition = None; Time = None; Mem = None; CpusPerTask = 1 }

let private timePattern = Regex(@"^(\d+|\d+:\d{2}|\d+:\d{2}:\d{2}|\d+-\d+|\d+-\d+:\d{2}|\d+-\d+:\d{2}:\d{2})$")
let private memPattern = Regex(@"^[1-9]\d*[KMGT]?$")
let private partitionPattern = Regex(@"^[A-Za-z0-9_.-]+$")

/// Checks the resources; the first problem as one line naming the option.
let check (r: Resources) =
    match r with
    | { Partition = Some p } when not (partitionPattern.IsMatch p) ->
        Error(sprintf "--partition '%s': letters, digits, '_', '.' and '-' only" p)
    | { Time = Some t } when not (timePattern.IsMatch t) ->
        Error(sprintf "--time '%s': expected minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS" t)
    | { Mem = Some m } when not (memPattern.IsMatch m) ->
        Error(sprintf "--mem '%s': expected a positive whole number with an optional K, M, G or T suffix" m)
    | { CpusPerTask = c } when c < 1 -> Error(sprintf "--cpus-per-task must be at least 1, got %d" c)
    | _ -> Ok r

/// A word quoted for bash.
let private quote (s: string) = "'" + s.Replace("'", "'\\''") + "'"

/// The Slurm batch script: a job array over the sweep's `count` jobs, each array task running
/// `hnn job SWEEP_DIR $SLURM_ARRAY_TASK_ID --threads $SLURM_CPUS_PER_TASK` through `cli` (program and
/// leading arguments, which the compute nodes must see at the same path, as the sweep folder).
let slurmScript (cli: string * string list) (sweepDir: string) (count: int) (r: Resources) =
    let program, leading = cli
    let dir = Path.GetFullPath sweepDir
    let command = program :: leading |> List.map quote |> String.concat " "
    String.concat
        "\n"
        [ "#!/bin/bash"
          sprintf "# Written by hnn sweep: %d jobs of %s (sweep.json), one array task each." count dir
          "# A finished job's task exits at once; a checkpointed one resumes. Merge: hnn report --results SWEEP_DIR"
          sprintf "#SBATCH --job-name=%s" (name sweepDir)
          sprintf "#SBATCH --array=0-%d" (count - 1)
          sprintf "#SBATCH --cpus-per-task=%d" r.CpusPerTask
          "#SBATCH --ntasks=1"
          sprintf "#SBATCH --output=%s" (Path.Combine(dir, logFolder, "%a.log"))
          match r.Partition with
          | Some p -> sprintf "#SBATCH --partition=%s" p
          | None -> ()
          match r.Time with
          | Some t -> sprintf "#SBATCH --time=%s" t
          | None -> ()
          match r.Mem with
          | Some m -> sprintf "#SBATCH --mem=%s" m
          | None -> ()
          sprintf "exec %s job %s \"$SLURM_ARRAY_TASK_ID\" --threads \"${SLURM_CPUS_PER_TASK:-1}\"" command (quote dir)
          "" ]

/// The batch script's path inside a sweep folder.
let slurmScriptPath (sweepDir: string) = Path.Combine(sweepDir, "sweep.sbatch")

/// Writes `SWEEP_DIR/sweep.sbatch`; returns its path.
let writeSlurm (cli: string * string list) (sweepDir: string) (count: int) (r: Resources) =
    let path = slurmScriptPath sweepDir
    Directory.CreateDirectory(Path.Combine(sweepDir, logFolder)) |> ignore
    AtomicFile.WriteAllText(path, slurmScript cli sweepDir count r)
    path

/// Submits a batch script with `sbatch --parsable`; the job id, or the problem as one line.
let submit (script: string) : Result<string, string> =
    let info = ProcessStartInfo("sbatch", [ "--parsable"; Path.GetFullPath script ], UseShellExecute = false)
    info.RedirectStandardOutput <- true
    info.RedirectStandardError <- true
    try
        use p = Process.Start info |> nonNull
        let out = p.StandardOutput.ReadToEndAsync()
        let err = p.StandardError.ReadToEnd()
        p.WaitForExit()
        let out = out.Result.Trim()
        if p.ExitCode = 0 && out <> "" then
            Ok(out.Split(';')[0])
        else
            let reason = (err.Trim().Split('\n') |> Array.tryLast |> Option.defaultValue "").Trim()
            Error(sprintf "sbatch %s failed with exit code %d: %s" script p.ExitCode (if reason = "" then "no message" else reason))
    with :? ComponentModel.Win32Exception ->
        Error "sbatch is not on PATH: run where Slurm is installed, or write the script only with --dry-run"

// ---- Kubernetes -------------------------------------------------------------------------------------------

/// What the Indexed Job runs: the image (with `hnn` on its PATH) and the PersistentVolumeClaim that holds
/// the sweep folder, mounted at the folder's own absolute path so sweep.json's relative folders resolve.
type Kubernetes =
    {
        Image: string
        VolumeClaim: string
        /// Pods at a time (None: all jobs at once, as the cluster allows).
        Parallelism: int option
    }

/// A YAML scalar: JSON's quoting is valid YAML.
let private scalar (s: string) = JsonSerializer.Serialize s

/// Slurm's memory (`4G`, MiB without a suffix) in Kubernetes' units (`4Gi`).
let kubernetesMemory (mem: string) =
    match mem[mem.Length - 1] with
    | 'K'
    | 'M'
    | 'G'
    | 'T' as unit -> mem.Substring(0, mem.Length - 1) + string unit + "i"
    | _ -> mem + "Mi"

/// A Kubernetes Indexed Job over the sweep's `count` jobs: each index runs
/// `hnn job SWEEP_DIR $(JOB_COMPLETION_INDEX) --threads C`; a failed index is retried once and does not stop
/// the others (`backoffLimitPerIndex`, Kubernetes ≥ 1.29).
let kubernetesManifest (sweepDir: string) (count: int) (r: Resources) (k: Kubernetes) =
    let dir = Path.GetFullPath sweepDir
    let resources =
        [ sprintf "              cpu: %s" (scalar (string r.CpusPerTask))
          match r.Mem with
          | Some m -> sprintf "              memory: %s" (scalar (kubernetesMemory m))
          | None -> () ]
    let head =
        [ sprintf "# Written by hnn sweep: %d jobs of %s (sweep.json), one index each. Apply: kubectl apply -f sweep-job.yaml" count dir
          "apiVersion: batch/v1"
          "kind: Job"
          "metadata:"
          sprintf "  name: %s" (scalar (name sweepDir))
          "spec:"
          "  completionMode: Indexed"
          sprintf "  completions: %d" count
          sprintf "  parallelism: %d" (defaultArg k.Parallelism count)
          "  backoffLimitPerIndex: 1"
          "  template:"
          "    spec:"
          "      restartPolicy: Never"
          "      containers:"
          "        - name: hnn"
          sprintf "          image: %s" (scalar k.Image)
          sprintf
              "          command: [\"hnn\", \"job\", %s, \"$(JOB_COMPLETION_INDEX)\", \"--threads\", %s]"
              (scalar dir)
              (scalar (string r.CpusPerTask))
          "          resources:" ]
    let volumes =
        [ "          volumeMounts:"
          "            - name: sweep"
          sprintf "              mountPath: %s" (scalar dir)
          "      volumes:"
          "        - name: sweep"
          "          persistentVolumeClaim:"
          sprintf "            claimName: %s" (scalar k.VolumeClaim)
          "" ]
    String.concat "\n" (head @ [ "            requests:" ] @ resources @ [ "            limits:" ] @ resources @ volumes)

/// The manifest's path inside a sweep folder.
let kubernetesManifestPath (sweepDir: string) = Path.Combine(sweepDir, "sweep-job.yaml")

/// Writes `SWEEP_DIR/sweep-job.yaml`; returns its path.
let writeKubernetes (sweepDir: string) (count: int) (r: Resources) (k: Kubernetes) =
    let path = kubernetesManifestPath sweepDir
    AtomicFile.WriteAllText(path, kubernetesManifest sweepDir count r k)
    path
