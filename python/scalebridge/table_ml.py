"""The multi-task scale-fusion DNN on a feature table (``dataset build`` / ``read_table``).

``MultiTaskTableModel(targets, scales=None, bridge_weight=None, **dnn_params).fit(df)`` trains
one shared network (``DNNRegressor`` with a 2-D target, Rust's ``fit_multi``) on every target
at once: the inputs are the numeric columns of the feature scales (from the column metadata,
``scales`` restricts them), one token group per scale (physics columns use the DNN's ``other``
scale embedding), rows with a missing target still train the others. ``bridge_weight`` adds the
cross-scale bridge term to the loss. ``predict(df)`` returns a DataFrame with one column per
target and ``{target}_std``, whose ``attrs["unit"]`` and ``attrs["scale"]`` carry the targets'
units (from the table) and scales ``target`` / ``uncertainty``. ``bridge_residual(df)`` measures
the quantity the bridge term penalises. Nothing is computed here: the network, its loss and the
residual are Rust's (``scalebridge_ml::dnn``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .exceptions import InputError
from .ml import DNNRegressor

#: Feature scales of the table → scale embedding of the DNN.
_DNN_SCALE = {"composition": "composition", "atomistic": "atomistic", "mesoscale": "mesoscale",
              "continuum": "continuum", "physics": "other"}


class MultiTaskTableModel:
    def __init__(self, targets, scales=None, bridge_weight=None, **dnn_params):
        self.targets = [str(t) for t in targets]
        if not self.targets:
            raise InputError("give at least one target")
        if len(set(self.targets)) != len(self.targets):
            raise InputError(f"a target is given twice: {self.targets}")
        self.scales = None if scales is None else [str(s) for s in scales]
        self.bridge_weight = bridge_weight
        self.dnn_params = dnn_params

    def _columns(self, df: pd.DataFrame) -> list[str]:
        scale = df.attrs.get("scale")
        if not scale:
            raise InputError("the DataFrame has no scale metadata (read it with scalebridge.features.read_table)")
        wanted = self.scales if self.scales is not None else list(_DNN_SCALE)
        bad = [s for s in wanted if s not in _DNN_SCALE]
        if bad:
            raise InputError(f"scales {bad} are not feature scales {list(_DNN_SCALE)}")
        cols = [c for c in df.columns if scale.get(c) in wanted and c not in self.targets
                and pd.api.types.is_numeric_dtype(df[c]) and df[c].notna().any()]
        if not cols:
            raise InputError(f"the table has no numeric column of the scales {wanted}")
        return cols

    def fit(self, df: pd.DataFrame) -> "MultiTaskTableModel":
        missing = [t for t in self.targets if t not in df.columns]
        if missing:
            raise InputError(f"targets {missing} are not columns of the table")
        self.columns_ = self._columns(df)
        groups: dict[str, tuple[str, list[str]]] = {}
        for c in self.columns_:
            s = df.attrs["scale"][c]
            groups.setdefault(s, (_DNN_SCALE[s], []))[1].append(c)
        self.units_ = {t: df.attrs.get("unit", {}).get(t, "1") for t in self.targets}
        self.model_ = DNNRegressor(groups=groups, bridge_weight=self.bridge_weight, impute_missing=True, **self.dnn_params)
        Y = df[self.targets].to_numpy(dtype=np.float64)
        self.model_.fit(df[self.columns_], Y if len(self.targets) > 1 else Y[:, 0])
        return self

    def predict(self, df: pd.DataFrame) -> pd.DataFrame:
        mu, sd = self.model_.predict(df[self.columns_], return_std=True)
        mu, sd = np.asarray(mu).reshape(len(df), -1), np.asarray(sd).reshape(len(df), -1)
        out = pd.DataFrame(index=df.index)
        unit, scale = {}, {}
        for j, t in enumerate(self.targets):
            out[t] = mu[:, j]
            out[f"{t}_std"] = sd[:, j]
            unit[t] = unit[f"{t}_std"] = self.units_[t]
            scale[t], scale[f"{t}_std"] = "target", "uncertainty"
        out.attrs.update({"unit": unit, "scale": scale})
        return out

    def bridge_residual(self, df: pd.DataFrame) -> float | None:
        return self.model_.bridge_residual(df[self.columns_])
