namespace Hnn

/// One training step of a run as a progress display sees it: the command line draws its live bars from these
/// (`Experiment.Options.Progress`, `PixelPendulum.Options.Progress`); without a display a run prints periodic lines.
type StepProgress =
    {
        /// The task's key, e.g. "spring".
        TaskKey: string
        /// The model's key: "baseline", "hnn" or "dissipative-hnn".
        ModelKey: string
        /// The step just finished, 0 … TotalSteps.
        Step: int
        /// The last step.
        TotalSteps: int
        /// The train (minibatch) loss at this step.
        TrainLoss: float
        /// The test loss at this step; NaN at steps where it is not evaluated.
        TestLoss: float
        /// Mean milliseconds per step since the first step this process saw (so a resumed run's rate is right too);
        /// NaN at that first step.
        MillisecondsPerStep: float
    }
