"""The shared multi-task scale-fusion DNN on a feature table (``dataset build`` / ``read_table``).

``MultiTaskTableModel(targets, scales=None, exclude=None, bridge_weight=None, **dnn_params).fit(df)``
trains ONE network with one head per target (Rust: ``scalebridge_ml::multitask``, the model that
``scalebridge train TABLE.parquet --targets A,B --model dnn`` saves). Everything is Rust's: the
inputs (numeric columns of the feature scales from the column metadata, ``scales`` restricts
them), one token group per scale, the target checks (unknown, text, or also an input: errors), the
masks (a row with a missing target still trains the other heads), the bridge term
(``bridge_weight`` × the mean squared deviation of the per-scale latent views from their mean),
imputation of missing inputs and every default. This module only hands the DataFrame's columns
with their ``attrs["scale"]`` / ``attrs["unit"]`` to Rust.

``predict(df)`` returns a DataFrame with ``<target>`` and ``<target>_std`` per target whose
``attrs["unit"]`` are the targets' units and ``attrs["scale"]`` ``target`` / ``uncertainty``;
``bridge_residual(df)`` measures the bridge quantity on any rows (None with inputs of one scale);
``save(dir)`` / ``MultiTaskTableModel.load(dir)`` share the CLI's ``multitask.json``."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from . import _scalebridge
from .exceptions import InputError
from .ml import dnn_available


def _columns(df: pd.DataFrame) -> list:
    """The DataFrame as (name, scale, unit, values) columns (float64 arrays or lists of str)."""
    scale, unit = df.attrs.get("scale"), df.attrs.get("unit") or {}
    if not scale:
        raise InputError("the DataFrame has no scale metadata (read the table with scalebridge.features.read_table)")
    out = []
    for c in df.columns:
        s = df[c]
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            values = s.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            values = s.astype(str).tolist()
        out.append((str(c), str(scale.get(c, "")), str(unit.get(c, "")), values))
    return out


def _require_dnn() -> None:
    if not dnn_available():
        raise InputError("the scale-fusion DNN is not available in this build (rebuild the extension with the cargo feature `dnn`)")


class MultiTaskTableModel:
    """One shared scale-fusion DNN for several targets of a feature table.

    ``dnn_params`` are ``DNNRegressor``'s Rust parameter names (``d_model``, ``max_epochs``,
    ``n_members``, ...; ``random_state`` is the seed); what is not given takes the Rust default."""

    def __init__(self, targets, scales=None, exclude=None, bridge_weight=None, **dnn_params):
        self.targets = [str(t) for t in targets]
        self.scales = None if scales is None else [str(s) for s in scales]
        self.exclude = None if exclude is None else [str(c) for c in exclude]
        self.bridge_weight = bridge_weight
        self.dnn_params = dnn_params

    def _params_json(self) -> str:
        p = dict(self.dnn_params)
        if "random_state" in p:
            p["seed"] = p.pop("random_state")
        if self.bridge_weight is not None:
            p["bridge_weight"] = float(self.bridge_weight)
        return json.dumps({k: v for k, v in p.items() if v is not None})

    def fit(self, df: pd.DataFrame) -> "MultiTaskTableModel":
        _require_dnn()
        self.model_ = _scalebridge.MultiTaskModel.fit(_columns(df), self.targets, self._params_json(), self.scales, self.exclude)
        self.info_ = dict(self.model_.info())
        return self

    def predict(self, df: pd.DataFrame) -> pd.DataFrame:
        targets, mu, sd = self.model_.predict(_columns(df))
        units = dict(self.info_["units"])
        out = pd.DataFrame(index=df.index)
        unit, scale = {}, {}
        for j, t in enumerate(targets):
            out[t] = mu[:, j]
            out[f"{t}_std"] = sd[:, j]
            unit[t] = unit[f"{t}_std"] = units[t]
            scale[t], scale[f"{t}_std"] = "target", "uncertainty"
        out.attrs.update({"unit": unit, "scale": scale})
        return out

    def bridge_residual(self, df: pd.DataFrame) -> float | None:
        return self.model_.bridge_residual(_columns(df))

    def save(self, directory) -> None:
        self.model_.save(str(directory))

    @classmethod
    def load(cls, path) -> "MultiTaskTableModel":
        _require_dnn()
        model = _scalebridge.MultiTaskModel.load(str(path))
        info = dict(model.info())
        self = cls(info["targets"])
        self.model_, self.info_ = model, info
        return self
