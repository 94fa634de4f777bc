"""Machine-learning surrogates with the scikit-learn estimator API.

``GBMRegressor`` (histogram gradient boosting, LightGBM-style, with a calibrated σ from quantile
boosters) and ``GPRegressor`` (Gaussian process with marginal-likelihood hyperparameters) are
implemented in Rust (``scalebridge-ml``); this module only validates input and converts arrays.
Both support ``predict(X, return_std=True)`` and drop into scikit-learn pipelines and CV.

``DNNRegressor`` (the scale-fusion deep network: scale tokens, Transformer encoder,
squeeze-and-excitation and cross-scale attention fusion, deep-ensemble σ) is available when the
extension was built with the cargo feature ``dnn`` (``dnn_available()``).

``featurize(formulas)`` returns Magpie-style composition statistics as a ``pandas.DataFrame``.
"""

from __future__ import annotations

import json
from typing import Any, Callable

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from . import _scalebridge
from .exceptions import InputError

try:  # scikit-learn >= 1.6
    from sklearn.utils.validation import validate_data as _validate_data
except ImportError:  # pragma: no cover - older scikit-learn
    _validate_data = None

__all__ = [
    "GBMRegressor",
    "GPRegressor",
    "DNNRegressor",
    "dnn_available",
    "featurize",
    "feature_names",
    "regression_metrics",
    "screening_metrics",
    "active_learning",
    "parity_plot",
    "plot_curves",
]


def featurize(formulas, errors: str = "raise") -> pd.DataFrame:
    """Composition features of chemical formulas (one row per formula, in order).

    ``errors="raise"`` raises :class:`~scalebridge.InputError` naming the bad formulas;
    ``errors="nan"`` returns NaN rows for them instead.
    """
    if isinstance(formulas, str):
        formulas = [formulas]
    formulas = [str(f) for f in formulas]
    if errors not in ("raise", "nan"):
        raise InputError(f"errors must be 'raise' or 'nan', got {errors!r}")
    x, names, errs = _scalebridge.ml_featurize(formulas)
    if errs and errors == "raise":
        shown = "; ".join(f"row {i}: {msg}" for i, msg in errs[:5])
        more = f" (and {len(errs) - 5} more)" if len(errs) > 5 else ""
        raise InputError(f"{len(errs)} formula(s) could not be featurised: {shown}{more}")
    return pd.DataFrame(x, columns=names)


def feature_names() -> list[str]:
    """Names of the composition features, in order."""
    return list(_scalebridge.ml_featurize([])[1])



def _is_multi_target(y) -> bool:
    """y has several target columns (through ``__array__``: scikit-learn's checks hand in
    array-likes that refuse numpy's array functions)."""
    if isinstance(y, str):
        return False
    a = np.asarray(y)
    return a.ndim == 2 and a.shape[1] > 1

class _RustRegressor(RegressorMixin, BaseEstimator):
    """Shared plumbing: validation, fitting through Rust, pickling as JSON."""

    _kind = ""
    _allow_nan = False

    def _rust_params(self) -> dict[str, Any]:
        raise NotImplementedError

    def _validate(self, X, y="no_validation", reset=True):
        allow = "allow-nan" if self._allow_nan else True
        if _validate_data is not None:
            if isinstance(y, str) and y == "no_validation":
                return _validate_data(self, X, reset=reset, dtype=np.float64, ensure_all_finite=allow)
            return _validate_data(
                self, X, y, reset=reset, dtype=np.float64, ensure_all_finite=allow, y_numeric=True
            )
        from sklearn.utils.validation import check_array, check_X_y  # pragma: no cover

        if isinstance(y, str):  # pragma: no cover
            return check_array(X, dtype=np.float64, force_all_finite=allow)
        X, y = check_X_y(X, y, dtype=np.float64, force_all_finite=allow, y_numeric=True)  # pragma: no cover
        self.n_features_in_ = X.shape[1]  # pragma: no cover
        return X, y  # pragma: no cover

    def fit(self, X, y):
        if _is_multi_target(y):
            return self._fit_per_target(X, y)
        X, y = self._validate(X, y, reset=True)
        y = np.asarray(y, dtype=np.float64)
        if y.ndim != 1:
            raise ValueError(f"y must be one-dimensional, got shape {y.shape}")
        params = json.loads(_scalebridge.ml_default_params(self._kind))
        params.update(self._rust_params())
        self.model_ = _scalebridge.Model.fit(
            self._kind, json.dumps(params), np.ascontiguousarray(X), np.ascontiguousarray(y)
        )
        self.info_ = dict(self.model_.info())
        return self

    def _fit_per_target(self, X, y):
        """Several targets (2-D ``y``, NaN = missing): one independent Rust model per column,
        each fitted on the rows where its target is present."""
        X = self._validate(X, reset=True)
        y = np.asarray(y, dtype=np.float64)
        if y.shape[0] != X.shape[0]:
            raise InputError(f"y has {y.shape[0]} rows, X has {X.shape[0]}")
        if np.isinf(y).any():
            raise InputError("y contains infinite values")
        params = json.loads(_scalebridge.ml_default_params(self._kind))
        params.update(self._rust_params())
        models = []
        for j in range(y.shape[1]):
            keep = np.isfinite(y[:, j])
            if keep.sum() < 2:
                raise InputError(f"target column {j} has {int(keep.sum())} value(s); at least 2 are needed")
            models.append(
                _scalebridge.Model.fit(
                    self._kind,
                    json.dumps(params),
                    np.ascontiguousarray(X[keep]),
                    np.ascontiguousarray(y[keep, j]),
                )
            )
        self.model_ = models
        self.info_ = {"n_targets": y.shape[1], "per_target": [dict(m.info()) for m in models]}
        return self

    def predict(self, X, return_std: bool = False):
        check_is_fitted(self, "model_")
        X = self._validate(X, reset=False)
        if isinstance(self.model_, list):
            out = [m.predict(np.ascontiguousarray(X), bool(return_std)) for m in self.model_]
            mu = np.column_stack([np.asarray(o[0]) for o in out])
            sd = np.column_stack([np.asarray(o[1]) for o in out]) if return_std else None
            return (mu, sd) if return_std else mu
        mu, sd = self.model_.predict(np.ascontiguousarray(X), bool(return_std))
        return (mu, sd) if return_std else mu

    def __getstate__(self):
        state = self.__dict__.copy()
        if isinstance(state.get("model_"), list):
            state["model_"] = [m.to_json() for m in state["model_"]]
        elif "model_" in state:
            state["model_"] = state["model_"].to_json()
        return state

    def __setstate__(self, state):
        if isinstance(state.get("model_"), str):
            state["model_"] = _scalebridge.Model.from_json(state["model_"])
        elif isinstance(state.get("model_"), list):
            state["model_"] = [_scalebridge.Model.from_json(m) for m in state["model_"]]
        self.__dict__.update(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = self._allow_nan
        return tags


class GBMRegressor(_RustRegressor):
    """Histogram gradient boosting (leaf-wise, LightGBM parameter names and semantics).

    σ comes from two quantile boosters (15.87 % and 84.13 %), rescaled on the held-out
    ``validation_fraction`` so that about 68 % of targets fall within ±1σ. Missing values (NaN)
    are allowed; each split learns where they go.

    Parameters left at ``None`` take the Rust defaults (``ml_default_params("gbm")``): 1000
    trees, learning rate 0.05, 31 leaves, no depth limit, 20 rows per leaf, 255 bins, feature and
    bagging fractions 0.8, early stopping after 100 rounds on 10 % of the rows, σ on, seed 0.
    """

    _kind = "gbm"
    _allow_nan = True

    def __init__(
        self,
        n_estimators: int | None = None,
        learning_rate: float | None = None,
        num_leaves: int | None = None,
        max_depth: int | None = None,
        min_data_in_leaf: int | None = None,
        lambda_l2: float | None = None,
        max_bin: int | None = None,
        feature_fraction: float | None = None,
        bagging_fraction: float | None = None,
        early_stopping_rounds: int | None = None,
        validation_fraction: float | None = None,
        uncertainty: bool | None = None,
        random_state: int | None = None,
    ):
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.max_depth = max_depth
        self.min_data_in_leaf = min_data_in_leaf
        self.lambda_l2 = lambda_l2
        self.max_bin = max_bin
        self.feature_fraction = feature_fraction
        self.bagging_fraction = bagging_fraction
        self.early_stopping_rounds = early_stopping_rounds
        self.validation_fraction = validation_fraction
        self.uncertainty = uncertainty
        self.random_state = random_state

    def _rust_params(self):
        """The parameters the user set; ``None`` ones are left out so that Rust's defaults apply."""
        given = {
            "n_estimators": _opt(self.n_estimators, int),
            "learning_rate": _opt(self.learning_rate, float),
            "num_leaves": _opt(self.num_leaves, int),
            "max_depth": _opt(self.max_depth, int),
            "min_data_in_leaf": _opt(self.min_data_in_leaf, int),
            "lambda_l2": _opt(self.lambda_l2, float),
            "max_bin": _opt(self.max_bin, int),
            "feature_fraction": _opt(self.feature_fraction, float),
            "bagging_fraction": _opt(self.bagging_fraction, float),
            "early_stopping_rounds": _opt(self.early_stopping_rounds, int),
            "validation_fraction": _opt(self.validation_fraction, float),
            "uncertainty": _opt(self.uncertainty, bool),
            "seed": _opt(self.random_state, int),
        }
        return {k: v for k, v in given.items() if v is not None}

    @property
    def n_trees_(self) -> int:
        check_is_fitted(self, "model_")
        return int(self.info_["n_trees"])


class GPRegressor(_RustRegressor):
    """Gaussian process (faer Cholesky) on standardised features; kernel ``"rbf"``,
    ``"matern32"`` or ``"matern52"``; isotropic length scale, signal and noise variance by maximum
    marginal likelihood. ``predict(X, return_std=True)`` gives the std of a new observation.
    Training sets above ``max_train`` rows are subsampled (cost O(n³)).
    ``kernel``, ``optimize``, ``max_train``, ``random_state`` left at ``None`` take the Rust
    defaults (Matérn 5/2, optimised, 1500 rows, seed 0); ``signal_variance`` and
    ``noise_variance`` are the starting hyperparameters used with ``length_scale`` (``None``:
    the Rust defaults 1.0 and 0.1).
    """

    _kind = "gp"
    _allow_nan = False

    def __init__(
        self,
        kernel: str | None = None,
        optimize: bool | None = None,
        length_scale: float | None = None,
        signal_variance: float | None = None,
        noise_variance: float | None = None,
        max_train: int | None = None,
        random_state: int | None = None,
    ):
        self.kernel = kernel
        self.optimize = optimize
        self.length_scale = length_scale
        self.signal_variance = signal_variance
        self.noise_variance = noise_variance
        self.max_train = max_train
        self.random_state = random_state

    def _rust_params(self):
        kernels = {"rbf": "Rbf", "matern32": "Matern32", "matern52": "Matern52"}
        if self.kernel is not None and self.kernel not in kernels:
            raise InputError(f"kernel must be one of {sorted(kernels)}, got {self.kernel!r}")
        initial = None
        if self.length_scale is not None:
            start = {
                "length_scale": float(self.length_scale),
                "signal_variance": _opt(self.signal_variance, float),
                "noise_variance": _opt(self.noise_variance, float),
            }
            initial = {k: v for k, v in start.items() if v is not None}
        given = {
            "kernel": _opt(self.kernel, kernels.__getitem__),
            "optimize": _opt(self.optimize, bool),
            "max_train": _opt(self.max_train, int),
            "seed": _opt(self.random_state, int),
        }
        return {"initial": initial, **{k: v for k, v in given.items() if v is not None}}


def _opt(v: Any, conv: Callable[[Any], Any]) -> Any:
    """``None`` (the user gave nothing) stays ``None`` so that Rust's default applies."""
    return None if v is None else conv(v)


def dnn_available() -> bool:
    """Whether the extension was built with the scale-fusion DNN (cargo feature ``dnn``)."""
    return bool(_scalebridge.ml_dnn_available())


_SCALES = ("atomistic", "mesoscale", "continuum", "composition", "other")


class DNNRegressor(_RustRegressor):
    """Scale-fusion deep network (burn, CPU), scikit-learn API.

    Feature columns are grouped into tokens by scale: by column-name prefix (``atom_``,
    ``meso_``, ``cont_``, ``comp_``; names come from a DataFrame's columns), or by ``groups``
    (``{token_name: (scale, [columns])}`` with scale one of atomistic, mesoscale, continuum,
    composition, other, and columns given by name or index). The 216 composition features of
    :func:`featurize` are split by ``composition_split`` (``"stat"``: one token per statistic,
    ``"property"``: one per elemental property, ``"single"``). Each token is embedded linearly
    (plus a learned scale embedding), fused by a Transformer encoder, a squeeze-and-excitation
    gate and a cross-scale attention, projected to a shared latent space and read out per target.

    Training: ``loss`` ``"l1"`` (default; matches an MAE metric), ``"huber"`` or ``"mse"`` on
    standardised targets, Adam with L2 ``weight_decay``, linear warm-up then step decay of the learning rate,
    early stopping on half of ``validation_fraction`` of the rows (best weights restored); inputs and
    targets standardised. ``y`` may be 2-D (multi-task; NaN = missing value, ``task_weights``).
    σ (``predict(X, return_std=True)``) is the spread of ``n_members`` networks trained from
    different seeds, rescaled on the other half of the held-out rows so that about 68 % of targets fall within ±1σ.
    Inputs: each feature is piecewise-linearly encoded over ``ple_bins`` quantile bins of its
    training values (Gorishniy et al. 2022), so the token embedding learns a piecewise-linear
    function of every feature; ``ple_bins=0`` embeds standardised values instead.
    NaN features raise (set ``impute_missing=True`` to replace them by the training mean, or
    median with the encoding).

    Every parameter left at ``None`` takes the Rust default (``ml_default_params("dnn")``, the one
    source of the defaults shared with the CLI): d_model 32, 4 heads, 2 layers, d_ff 64, d_latent
    32, dropout 0.1, learning rate 1e-3, 300 epochs, patience 30, 3 members, 8 PLE bins, no
    imputation, seed 0.
    """

    _kind = "dnn"

    @property
    def _allow_nan(self) -> bool:  # type: ignore[override]
        return self._impute()

    def _validate_predict(self, X):
        # finiteness is checked in Rust (infinite values, and NaN unless impute_missing), in the
        # same pass that reads the rows: scikit-learn's check would build an n × d mask first
        if _validate_data is not None:
            return _validate_data(self, X, reset=False, dtype=np.float64, ensure_all_finite=False)
        return self._validate(X, reset=False)  # pragma: no cover

    def __init__(
        self,
        d_model: int | None = None,
        n_heads: int | None = None,
        n_layers: int | None = None,
        d_ff: int | None = None,
        d_latent: int | None = None,
        dropout: float | None = None,
        use_se: bool | None = None,
        use_cross_attention: bool | None = None,
        learning_rate: float | None = None,
        warmup_epochs: int | None = None,
        decay_every_epochs: int | None = None,
        decay_gamma: float | None = None,
        weight_decay: float | None = None,
        loss: str | None = None,
        batch_size: int | None = None,
        max_epochs: int | None = None,
        patience: int | None = None,
        validation_fraction: float | None = None,
        n_members: int | None = None,
        task_weights=None,
        bridge_weight: float | None = None,
        groups=None,
        composition_split: str | None = None,
        max_token_width: int | None = None,
        impute_missing: bool | None = None,
        ple_bins: int | None = None,
        random_state: int | None = None,
    ):
        self.d_model = d_model
        self.n_heads = n_heads
        self.n_layers = n_layers
        self.d_ff = d_ff
        self.d_latent = d_latent
        self.dropout = dropout
        self.use_se = use_se
        self.use_cross_attention = use_cross_attention
        self.learning_rate = learning_rate
        self.warmup_epochs = warmup_epochs
        self.decay_every_epochs = decay_every_epochs
        self.decay_gamma = decay_gamma
        self.weight_decay = weight_decay
        self.loss = loss
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.n_members = n_members
        self.task_weights = task_weights
        self.bridge_weight = bridge_weight
        self.groups = groups
        self.composition_split = composition_split
        self.max_token_width = max_token_width
        self.impute_missing = impute_missing
        self.ple_bins = ple_bins
        self.random_state = random_state

    def _feature_names(self, n: int):
        names = getattr(self, "feature_names_in_", None)
        if names is not None:
            return [str(c) for c in names]
        if n == 0:
            return None
        if self.groups is not None or n != len(feature_names()):
            return [f"x{i}" for i in range(n)]
        return None  # Rust uses the composition feature names

    def _rust_groups(self, names):
        if self.groups is None:
            return None
        if not isinstance(self.groups, dict):
            raise InputError("groups must be a dict {token_name: (scale, [columns])}")
        out = []
        for name, spec in self.groups.items():
            if not (isinstance(spec, (tuple, list)) and len(spec) == 2 and isinstance(spec[0], str)):
                raise InputError(f"groups[{name!r}] must be (scale, [columns]), got {spec!r}")
            scale, cols = spec
            if scale.lower() not in _SCALES:
                raise InputError(f"groups[{name!r}]: scale must be one of {_SCALES}, got {scale!r}")
            resolved = []
            for c in cols:
                if isinstance(c, (int, np.integer)):
                    if not 0 <= int(c) < len(names):
                        raise InputError(f"groups[{name!r}]: column index {c} out of range")
                    resolved.append(names[int(c)])
                else:
                    resolved.append(str(c))
            out.append({"name": str(name), "scale": scale.capitalize(), "columns": resolved})
        return out

    def _rust_params(self):
        """The parameters the user set; ``None`` ones are left out so that Rust's defaults apply."""
        splits = {"stat": "ByStat", "property": "ByProperty", "single": "Single"}
        losses = {"mse": "Mse", "l1": "L1", "huber": {"Huber": {"delta": 1.0}}}
        if self.loss is not None and self.loss not in losses:
            raise InputError(f"loss must be one of {sorted(losses)}, got {self.loss!r}")
        if self.composition_split is not None and self.composition_split not in splits:
            raise InputError(f"composition_split must be one of {sorted(splits)}, got {self.composition_split!r}")
        if self.ple_bins is not None and not (isinstance(self.ple_bins, (int, np.integer)) and self.ple_bins >= 0):
            raise InputError(f"ple_bins must be an integer >= 0 (0 = standardised inputs), got {self.ple_bins!r}")
        n = int(getattr(self, "n_features_in_", 0))
        names = self._feature_names(n)
        all_names = names if names is not None else feature_names()
        tw = None if self.task_weights is None else [float(w) for w in np.ravel(self.task_weights)]
        given = {
            "d_model": _opt(self.d_model, int),
            "n_heads": _opt(self.n_heads, int),
            "n_layers": _opt(self.n_layers, int),
            "d_ff": _opt(self.d_ff, int),
            "d_latent": _opt(self.d_latent, int),
            "dropout": _opt(self.dropout, float),
            "use_se": _opt(self.use_se, bool),
            "use_cross_attention": _opt(self.use_cross_attention, bool),
            "learning_rate": _opt(self.learning_rate, float),
            "warmup_epochs": _opt(self.warmup_epochs, int),
            "decay_every_epochs": _opt(self.decay_every_epochs, int),
            "decay_gamma": _opt(self.decay_gamma, float),
            "weight_decay": _opt(self.weight_decay, float),
            "loss": _opt(self.loss, losses.__getitem__),
            "batch_size": _opt(self.batch_size, int),
            "max_epochs": _opt(self.max_epochs, int),
            "patience": _opt(self.patience, int),
            "validation_fraction": _opt(self.validation_fraction, float),
            "n_members": _opt(self.n_members, int),
            "bridge_weight": _opt(self.bridge_weight, float),
            "composition_split": _opt(self.composition_split, splits.__getitem__),
            "max_token_width": _opt(self.max_token_width, int),
            "impute_missing": _opt(self.impute_missing, bool),
            "ple_bins": _opt(self.ple_bins, int),
            "seed": _opt(self.random_state, int),
        }
        out = {k: v for k, v in given.items() if v is not None}
        out.update({"task_weights": tw, "groups": self._rust_groups(all_names), "feature_names": names})
        return out

    def _impute(self) -> bool:
        """The effective ``impute_missing``: the user's value, else Rust's default."""
        if self.impute_missing is not None:
            return bool(self.impute_missing)
        return bool(json.loads(_scalebridge.ml_default_params(self._kind))["impute_missing"])

    def _validate(self, X, y="no_validation", reset=True):
        if not dnn_available():
            raise InputError("the scale-fusion DNN is not available in this build (cargo feature `dnn`)")
        if isinstance(y, str) or np.ndim(y) < 2:
            return super()._validate(X, y, reset=reset)
        if _validate_data is not None:
            allow = "allow-nan" if self._impute() else True
            X = _validate_data(self, X, reset=reset, dtype=np.float64, ensure_all_finite=allow)
        else:  # pragma: no cover
            X = super()._validate(X, reset=reset)
        y = np.asarray(y, dtype=np.float64)
        if y.shape[0] != X.shape[0]:
            raise InputError(f"y has {y.shape[0]} rows, X has {X.shape[0]}")
        if np.isinf(y).any():
            raise InputError("y contains infinite values")
        return X, y

    def fit(self, X, y):
        if np.ndim(y) == 2 and np.shape(y)[1] > 1:
            X, y = self._validate(X, y, reset=True)
            params = json.loads(_scalebridge.ml_default_params(self._kind))
            params.update(self._rust_params())
            self.model_ = _scalebridge.Model.fit_multi(
                json.dumps(params), np.ascontiguousarray(X), np.ascontiguousarray(y)
            )
            self.info_ = dict(self.model_.info())
            return self
        if np.ndim(y) == 2:
            y = np.asarray(y).ravel()
        return super().fit(X, y)

    def predict(self, X, return_std: bool = False):
        check_is_fitted(self, "model_")
        X = self._validate_predict(X)
        if int(self.info_.get("n_targets", 1)) > 1:
            mu, sd = self.model_.predict_multi(np.ascontiguousarray(X))
        else:
            mu, sd = self.model_.predict(np.ascontiguousarray(X), bool(return_std))
        return (mu, sd) if return_std else mu

    def bridge_residual(self, X) -> float | None:
        """The cross-scale bridge residual on X: the mean squared distance of the per-scale latent
        views from their mean, the quantity the loss term ``bridge_weight`` penalises (computed in
        Rust; None when the columns form fewer than two scales)."""
        check_is_fitted(self, "model_")
        X = self._validate_predict(X)
        return self.model_.bridge_residual(np.ascontiguousarray(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = self._impute() if dnn_available() else False
        tags.target_tags.multi_output = True
        return tags


def regression_metrics(y, pred, std=None) -> dict[str, float]:
    """MAE, RMSE, R² (and the ±1σ coverage when ``std`` is given), computed in Rust."""
    y = np.asarray(y, dtype=np.float64).ravel().tolist()
    pred = np.asarray(pred, dtype=np.float64).ravel().tolist()
    s = None if std is None else np.asarray(std, dtype=np.float64).ravel().tolist()
    return dict(_scalebridge.ml_regression_metrics(y, pred, s))


def screening_metrics(truth, decision, score) -> dict[str, float]:
    """Precision, recall, F1 of boolean decisions and ROC-AUC of scores, computed in Rust."""
    p, r, f, auc = _scalebridge.ml_screening_metrics(
        [bool(t) for t in truth], [bool(d) for d in decision], [float(s) for s in score]
    )
    return {"precision": p, "recall": r, "f1": f, "roc_auc": auc}


def active_learning(
    estimator: GBMRegressor | GPRegressor | DNNRegressor,
    pool_X,
    pool_y,
    test_X,
    test_y,
    acquisition: str | None = None,
    initial: int | None = None,
    batch: int | None = None,
    max_labels: int | None = None,
    random_state: int | None = None,
    kappa: float | None = None,
    xi: float | None = None,
    oracle: Callable[[np.ndarray], Any] | None = None,
) -> pd.DataFrame:
    """Pool-based active learning: test error versus number of labels.

    Labels come from ``pool_y`` (a table-lookup oracle) or, with ``pool_y=None``, from
    ``oracle``: a callable that receives the pool row indices to label in one round (an int64
    array; the initial set, then each batch) and returns one label per index, e.g. a scalebridge
    simulation of each candidate. A NaN label marks a failed evaluation: the candidate is dropped
    and counted in ``n_failed``; ``max_labels`` counts oracle calls, failed ones included. An
    exception raised by the oracle stops the loop and propagates unchanged.
    ``acquisition``: ``random``, ``variance`` (the default), ``ucb`` (weight ``kappa``) or ``ei``
    (margin ``xi``). Options left as None take the Rust defaults (initial 20, batch 10,
    max_labels 200, random_state 0, kappa 2, xi 0.01)."""
    params = json.loads(_scalebridge.ml_default_params(estimator._kind))
    params.update(estimator._rust_params())
    if (pool_y is None) == (oracle is None):
        raise InputError("give exactly one of pool_y (table lookup) or oracle (a callable)")
    steps = _scalebridge.ml_active_learning(
        estimator._kind,
        json.dumps(params),
        np.ascontiguousarray(pool_X, dtype=np.float64),
        None if pool_y is None else [float(v) for v in np.asarray(pool_y).ravel()],
        np.ascontiguousarray(test_X, dtype=np.float64),
        [float(v) for v in np.asarray(test_y).ravel()],
        json.dumps({
            k: v
            for k, v in dict(
                acquisition=acquisition, initial=initial, batch=batch, max_labels=max_labels,
                seed=random_state, kappa=kappa, xi=xi,
            ).items()
            if v is not None
        }),
        oracle,
    )
    return pd.DataFrame(steps, columns=["n_labels", "mae", "rmse", "best_label", "n_failed"])


def parity_plot(y_true, y_pred, path, y_std=None, title: str = "", unit: str = "") -> None:
    """Parity plot (SVG, drawn in Rust): predictions (± ``y_std``) against targets, the y = x
    line, and MAE / R² / ±1σ coverage in the caption."""
    _scalebridge.ml_parity_plot(
        [float(v) for v in np.asarray(y_true, dtype=float).ravel()],
        [float(v) for v in np.asarray(y_pred, dtype=float).ravel()],
        str(path),
        None if y_std is None else [float(v) for v in np.asarray(y_std, dtype=float).ravel()],
        title,
        unit,
    )


def plot_curves(curves, path, title: str = "", x_label: str = "", y_label: str = "", log_y: bool = False) -> None:
    """Several curves on one chart (SVG, drawn in Rust), e.g. learning curves or active-learning
    error versus labels. ``curves``: ``{name: (x, y)}`` or ``{name: (x, y, y_err)}``."""
    out = []
    for name, c in curves.items():
        if len(c) not in (2, 3):
            raise InputError(f"curve {name!r}: give (x, y) or (x, y, y_err)")
        arrs = [np.asarray(a, dtype=float).ravel().tolist() for a in c]
        out.append({"name": str(name), "x": arrs[0], "y": arrs[1], "y_err": arrs[2] if len(arrs) == 3 else None})
    _scalebridge.ml_curves_plot(json.dumps(out), str(path), title, x_label, y_label, bool(log_y))
