"""The ``glassgrad`` command: list and run labs, build the report, train, explain.

typer and rich are imported inside :func:`main`, so ``import glassgrad`` needs NumPy alone.
Bad input exits with status 2 and one ``error: ...`` line on stderr.
"""

import math
import os
import sys
import time
from pathlib import Path
from typing import Annotated

import numpy as np

__all__ = ["main", "make_app", "train_digits", "explain_expression", "digits_landscape"]

MODELS = ("mlp", "cnn")
OPTIMIZERS = {"adam": "Adam", "sgd": "SGD", "adamw": "AdamW", "rmsprop": "RMSprop"}
DATASETS = ("digits",)


class UsageError(ValueError):
    """Bad command-line input (exit status 2)."""


def explain_expression(text, at):
    """Differentiate a typed expression at a point and return the chain-rule explanation.

    Args:
        text: e.g. ``"sin(x**2)"``; parsed with ``ast`` (no eval).
        at: ``["x=3"]`` style assignments, one per variable.

    Returns:
        ``(value, explanation)`` where explanation is a
        :class:`glassgrad.analysis.Explanation`.

    Example:
        >>> value, e = explain_expression("x**2", ["x=3"])
        >>> float(e.grads["x"])
        6.0
    """
    import glassgrad as gg
    from glassgrad.labs.expr import evaluate, parse_expression, parse_point

    tree, names = parse_expression(text)
    point = parse_point(at)
    missing = [n for n in names if n not in point]
    if missing:
        raise UsageError(f"no value for {', '.join(missing)}; add --at {missing[0]}=NUMBER")
    if not names:
        raise UsageError(f"expression {text!r} has no variable to differentiate")
    values = {n: gg.Tensor(point[n], requires_grad=True) for n in names}
    y = evaluate(tree, values)
    return y.item(), gg.analysis.explain(y, wrt=values)


def _digits_model(kind):
    from glassgrad import nn

    if kind == "mlp":
        return nn.MLP([64, 64, 10])
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(8 * 4 * 4, 10),
    )


@np.errstate(all="ignore")  # a diverging run is reported by the loss check, not warned about
def train_digits(
    model="mlp",
    optimizer="adam",
    epochs=5,
    lr=1e-2,
    batch_size=64,
    seed=0,
    progress=None,
    on_epoch=None,
    jit=False,
):
    """Train an MLP or a small CNN on the bundled 8×8 digits; return (model, test accuracy).

    80% of the digits (a seeded shuffle) train the model; the other 20% measure accuracy.
    ``progress(step, total)`` is called after every batch and ``on_epoch(epoch, mean
    training loss, test accuracy)`` after every epoch, when given.
    ``jit`` compiles each step, forward, backward and the optimizer update
    (``glassgrad.training.compiled_step``).

    Raises:
        FloatingPointError: the loss became NaN or infinite (naming the epoch and step).
    """
    import glassgrad as gg
    from glassgrad.data import DataLoader, TensorDataset, load_digits
    from glassgrad.nn import functional as F
    from glassgrad.training import compiled_step

    gg.manual_seed(seed)
    X, y = load_digits(images=model == "cnn")
    order = np.random.default_rng(seed).permutation(len(y.data))
    cut = int(0.8 * len(order))
    train_idx, test_idx = order[:cut], order[cut:]
    net = _digits_model(model)
    opt = getattr(gg.optim, OPTIMIZERS[optimizer])(net.parameters(), lr=lr)
    loader = DataLoader(
        TensorDataset(X[train_idx], y[train_idx]),
        batch_size=batch_size,
        shuffle=True,
        generator=seed,
    )

    def accuracy():
        net.eval()
        with gg.no_grad():
            pred = net(X[test_idx]).data.argmax(axis=1)
        return float(np.mean(pred == y.data[test_idx]))

    total, step = epochs * len(loader), 0
    compiled = compiled_step(net, F.cross_entropy, opt) if jit else None
    for epoch in range(1, epochs + 1):
        net.train()
        losses = []
        for xb, yb in loader:
            if compiled is not None:
                loss, _ = compiled(xb, yb)
            else:
                opt.zero_grad()
                loss = F.cross_entropy(net(xb), yb)
            if not np.isfinite(loss.item()):
                raise FloatingPointError(
                    f"non-finite loss {loss.item()} at epoch {epoch}, step {step + 1} "
                    f"(lr={lr}); try a smaller --lr"
                )
            if compiled is None:
                loss.backward()
                opt.step()
            losses.append(loss.item())
            step += 1
            if progress is not None:
                progress(step, total)
        if on_epoch is not None:
            on_epoch(epoch, float(np.mean(losses)), accuracy())
    return net, accuracy()


def _out_problem(out):
    """Why ``out`` cannot be the output folder (a file is in the way), or None."""
    path = Path(out)
    for p in (path, *path.parents):
        if p.exists():
            if not p.is_dir():
                return f"--out {out}: {p} is a file, not a folder"
            if not os.access(p, os.W_OK | os.X_OK):
                return f"--out {out}: the folder {p} is not writable"
            return None
    return None


def digits_landscape(net, model="mlp", steps=41, span=1.0, seed=0, executor=None, progress=True):
    """The 2-D cross-entropy landscape of ``net`` on all the digits (filter-normalised plane).

    ``executor`` is as for :func:`glassgrad.sweep`: None, a number of local processes or a
    Dask client; the numbers do not depend on it.
    """
    from glassgrad.analysis import loss_landscape_2d
    from glassgrad.data import load_digits
    from glassgrad.nn import functional as F

    data = load_digits(images=model == "cnn")
    return loss_landscape_2d(net, F.cross_entropy, data, span=span, steps=steps,
                             generator=seed, progress=progress, executor=executor)  # fmt: skip


class _Executor:
    """``--workers N`` (a local process pool) or ``--scheduler ADDRESS`` (a Dask client)."""

    def __init__(self, workers, scheduler):
        if workers is not None and scheduler is not None:
            raise UsageError("give --workers or --scheduler, not both")
        if workers is not None and workers < 1:
            raise UsageError(f"--workers must be >= 1; got {workers}")
        self.workers, self.scheduler, self.client = workers, scheduler, None

    def __enter__(self):
        if self.scheduler is None:
            return self.workers
        try:
            from distributed import Client
        except ImportError as err:
            raise UsageError(
                "--scheduler needs dask.distributed: pip install 'glassgrad[distributed]'"
            ) from err
        try:
            self.client = Client(self.scheduler, timeout="30s")
        except OSError as err:
            raise UsageError(f"cannot reach the Dask scheduler at {self.scheduler}: {err}") from err
        return self.client

    def __exit__(self, *exc):
        if self.client is not None:
            self.client.close()


def _progress_bar():
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[info]}"),
        transient=False,
    )


def run_tour(out, progress=True):
    """Run every lab, write ``out/report.html``; return ``(results, report path)``."""
    from glassgrad.labs import list_labs, run_lab
    from glassgrad.report import write_report

    labs, results = list_labs(), []
    if progress:
        with _progress_bar() as bar:
            task = bar.add_task("labs", total=len(labs), info="")
            for lab in labs:
                bar.update(task, info=f"lab {lab.id}")
                results.append(run_lab(lab, out_dir=out))
                bar.advance(task)
    else:
        results = [run_lab(lab, out_dir=out) for lab in labs]
    return results, write_report(results, Path(out) / "report.html")


def _summary(results):
    lines = []
    for r in results:
        n = {s: sum(c.status == s for c in r.checks) for s in ("pass", "fail")}
        mark = "✓" if r.ok else "✗"
        extra = f", {len(r.not_run)} cells not run" if r.not_run else ""
        lines.append(
            f"{mark} lab {r.lab.id:<15} {n['pass']} checks passed, {n['fail']} failed"
            f"{extra}, {len(r.figures)} figures, {r.seconds:.1f} s"
        )
        if r.error:
            lines.append("   " + r.error.strip().splitlines()[-1])
    return "\n".join(lines)


def make_app():
    """Build the typer application (typer is imported here, not at module import)."""
    import typer

    import glassgrad as gg
    from glassgrad.labs import LabNotFound, find_lab, list_labs, run_lab
    from glassgrad.labs.expr import ExpressionError

    app = typer.Typer(
        add_completion=False,
        no_args_is_help=True,
        help="glassgrad: the mathematics of deep learning you can see through.",
    )

    def fail(message):
        typer.echo(f"error: {message}", err=True)
        raise typer.Exit(2)

    def check_out(out):
        """Before any work: --out must be (or be creatable as) a writable folder."""
        problem = _out_problem(out)
        if problem:
            fail(problem)

    def version_callback(value: bool):
        if value:
            typer.echo(f"glassgrad {gg.__version__}")
            raise typer.Exit()

    @app.callback()
    def root(
        version: Annotated[
            bool,
            typer.Option(
                "--version", callback=version_callback, is_eager=True, help="Show the version."
            ),
        ] = False,
    ):
        """glassgrad: the mathematics of deep learning you can see through."""

    @app.command("labs")
    def labs_cmd():
        """List the labs."""
        for lab in list_labs():
            typer.echo(f"{lab.id:<16} {lab.title}")

    @app.command("lab")
    def lab_cmd(
        lab_id: Annotated[str, typer.Argument(help="Lab id, e.g. 1.4.3 (`glassgrad labs`).")],
        out: Annotated[Path, typer.Option(help="Folder for the figures.")] = Path("out"),
    ):
        """Run one lab: print its output and checks, save its figures under --out."""
        check_out(out)
        try:
            lab = find_lab(lab_id)
        except LabNotFound as e:
            fail(str(e))
        result = run_lab(lab, out_dir=out)
        typer.echo(result.stdout, nl=False)
        typer.echo(_summary([result]))
        if result.figures:
            typer.echo(f"figures: {out / 'figures' / lab.id}")
        raise typer.Exit(0 if result.ok else 1)

    @app.command("tour")
    def tour_cmd(
        out: Annotated[Path, typer.Option(help="Folder for report.html, figures.")] = Path("out"),
        progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
    ):
        """Run every lab and write one self-contained report: OUT/report.html."""
        check_out(out)
        start = time.perf_counter()
        results, path = run_tour(out, progress=progress)
        typer.echo(_summary(results))
        typer.echo(f"report: {path} ({time.perf_counter() - start:.1f} s)")
        raise typer.Exit(0 if all(r.ok for r in results) else 1)

    @app.command("train")
    def train_cmd(
        dataset: Annotated[str, typer.Argument(help="Dataset to train on: digits.")],
        model: Annotated[str, typer.Option(help="mlp or cnn.")] = "mlp",
        optimizer: Annotated[str, typer.Option(help="adam, adamw, sgd or rmsprop.")] = "adam",
        epochs: Annotated[int, typer.Option(help="Passes over the training set.")] = 5,
        lr: Annotated[float, typer.Option(help="Learning rate.")] = 1e-2,
        out: Annotated[Path, typer.Option(help="Folder for the saved weights.")] = Path("out"),
        jit: Annotated[bool, typer.Option(help="Compile each step with glassgrad.jit.")] = False,
    ):
        """Train a model on a bundled dataset; print test accuracy; save the weights."""
        if dataset not in DATASETS:
            fail(f"unknown dataset {dataset!r}; available: {', '.join(DATASETS)}")
        if model not in MODELS:
            fail(f"unknown model {model!r}; choose one of: {', '.join(MODELS)}")
        if optimizer not in OPTIMIZERS:
            fail(f"unknown optimizer {optimizer!r}; choose one of: {', '.join(OPTIMIZERS)}")
        if epochs < 1 or not 0 < lr < math.inf:
            fail(
                f"--epochs must be >= 1 and --lr a finite number > 0; got epochs={epochs}, lr={lr}"
            )
        check_out(out)
        with _progress_bar() as bar:
            task = bar.add_task(f"{dataset} {model} {optimizer}", total=None, info="")

            def report(step, total):
                bar.update(task, completed=step, total=total, info=f"epochs {epochs}")

            def epoch_done(epoch, loss, accuracy):
                bar.console.print(
                    f"epoch {epoch}/{epochs}: loss {loss:.4f}, test accuracy {accuracy:.4f}"
                )

            try:
                net, accuracy = train_digits(
                    model, optimizer, epochs, lr, progress=report, on_epoch=epoch_done, jit=jit
                )
            except FloatingPointError as e:
                fail(f"training stopped: {e}; nothing saved")
        if not all(np.isfinite(p.data).all() for p in net.parameters()):
            fail("training stopped: the weights are no longer finite; nothing saved")
        path = Path(out) / f"{dataset}_{model}.npz"
        path.parent.mkdir(parents=True, exist_ok=True)
        gg.save(net.state_dict(), path)
        typer.echo(f"test accuracy: {accuracy:.4f}")
        typer.echo(f"weights: {path}")

    @app.command("explain")
    def explain_cmd(
        expression: Annotated[str, typer.Argument(help='e.g. "sin(x**2)" or "3*x*y".')],
        at: Annotated[list[str] | None, typer.Option(help="Point: --at x=3 --at y=2.")] = None,
    ):
        """Explain the chain rule for a typed expression at a point (parsed safely)."""
        try:
            value, explanation = explain_expression(expression, at or [])
        except (ExpressionError, UsageError) as e:
            fail(str(e))
        typer.echo(f"{expression} = {value:.6g}")
        typer.echo(str(explanation))

    @app.command("landscape")
    def landscape_cmd(
        dataset: Annotated[str, typer.Argument(help="Dataset: digits.")],
        model: Annotated[str, typer.Option(help="mlp or cnn.")] = "mlp",
        weights: Annotated[
            Path | None, typer.Option(help="Weights saved by `glassgrad train` (else train).")
        ] = None,
        epochs: Annotated[int, typer.Option(help="Epochs of training without --weights.")] = 2,
        steps: Annotated[int, typer.Option(help="Grid points per axis.")] = 41,
        span: Annotated[float, typer.Option(help="Half-width of the plane.")] = 1.0,
        seed: Annotated[int, typer.Option(help="Seed of the directions and training.")] = 0,
        workers: Annotated[int | None, typer.Option(help="Local worker processes.")] = None,
        scheduler: Annotated[
            str | None, typer.Option(help="Dask scheduler address, e.g. tcp://host:8786.")
        ] = None,
        out: Annotated[Path, typer.Option(help="Folder for the .npz of the grid.")] = Path("out"),
    ):
        """The 2-D loss landscape of a digits model, here, on local processes or on Dask."""
        if dataset not in DATASETS:
            fail(f"unknown dataset {dataset!r}; available: {', '.join(DATASETS)}")
        if model not in MODELS:
            fail(f"unknown model {model!r}; choose one of: {', '.join(MODELS)}")
        if steps < 2 or span <= 0 or epochs < 1:
            fail(f"--steps must be >= 2, --span > 0, --epochs >= 1; got {steps}, {span}, {epochs}")
        check_out(out)
        try:
            place = _Executor(workers, scheduler)
        except UsageError as e:
            fail(str(e))
        if weights is not None:
            net = _digits_model(model)
            try:
                net.load_state_dict(gg.load(weights))
            except (OSError, ValueError, KeyError) as e:
                fail(f"--weights {weights}: {e}")
        else:
            net, _ = train_digits(model, "adam", epochs, 1e-2, seed=seed)
        start = time.perf_counter()
        try:
            with place as executor:
                r = digits_landscape(net, model, steps, span, seed, executor)
        except UsageError as e:
            fail(str(e))
        path = Path(out) / f"landscape_{dataset}_{model}.npz"
        path.parent.mkdir(parents=True, exist_ok=True)
        gg.save({"alphas": r.alphas, "betas": r.betas, "losses": r.losses}, path)
        where = scheduler or (f"{workers} processes" if workers else "this process")
        typer.echo(f"{steps}x{steps} landscape on {where}: {time.perf_counter() - start:.1f} s")
        typer.echo(f"centre loss {r.center_loss:.6g}, min {r.losses.min():.6g}, "
                   f"max {r.losses.max():.6g}")  # fmt: skip
        typer.echo(f"grid: {path}")

    return app


def main(argv=None):
    """Console entry point: ``glassgrad ...`` and ``python -m glassgrad ...``.

    Returns the exit status; a usage error (unknown command or option, a value of the wrong
    type) prints one ``error: ...`` line on stderr and returns 2.
    """
    from typer.exceptions import Abort, TyperException

    app = make_app()
    try:
        status = app(args=argv, prog_name="glassgrad", standalone_mode=False)
    except TyperException as e:  # usage errors carry exit code 2
        message = e.format_message()
        if message.startswith("No such option: -") and "explain" in (argv or sys.argv):
            message += (
                "; an expression that starts with '-' reads as an option: wrap it in "
                "parentheses, e.g. glassgrad explain '(-x**2)' --at x=1"
            )
        if message:  # empty when no command was given and the help was shown
            print(f"error: {message}", file=sys.stderr)
        return e.exit_code
    except Abort:
        print("error: aborted", file=sys.stderr)
        return 1
    return status if isinstance(status, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
