//! Training of one network: Adam with L2 weight decay, linear warm-up then step decay of the
//! learning rate (burn's schedulers), shuffled mini-batches, multi-task MSE on standardised
//! targets, optional bridge term, early stopping on the validation loss with the best weights
//! restored.

use super::net::{FusionNet, NetConfig};
use super::{cpu, cpu_autodiff, DnnParams};
use crate::error::{MlError, Result};
use burn::lr_scheduler::linear::LinearLrSchedulerConfig;
use burn::lr_scheduler::sequential::SequentialLrSchedulerConfig;
use burn::lr_scheduler::step::StepLrSchedulerConfig;
use burn::lr_scheduler::LrSchedulerConfig;
use burn::module::Module;
use burn::optim::decay::WeightDecayConfig;
use burn::nn::loss::{HuberLossConfig, LpLossConfig, MseLoss};
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{Device, Tensor, TensorData};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use serde::{Deserialize, Serialize};
use std::sync::Mutex;

/// Standardised training and validation data (row-major f32; token columns contiguous).
/// Missing targets are 0 in `y` and 0 in the mask `m`.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub d: usize,
    pub k: usize,
    pub x_tr: Vec<f32>,
    pub y_tr: Vec<f32>,
    pub m_tr: Vec<f32>,
    pub x_va: Vec<f32>,
    pub y_va: Vec<f32>,
    pub m_va: Vec<f32>,
    /// Task weights, normalised to sum to 1.
    pub task_w: Vec<f32>,
}

impl Prepared {
    pub fn n_tr(&self) -> usize {
        self.x_tr.len() / self.d.max(1)
    }
    pub fn n_va(&self) -> usize {
        self.x_va.len() / self.d.max(1)
    }
}

/// Training record of one ensemble member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberInfo {
    pub seed: u64,
    /// Epoch (1-based) whose weights were kept.
    pub best_epoch: usize,
    pub epochs_run: usize,
    /// Mean training loss per epoch (standardised units, task-weighted `DnnParams::loss`).
    pub train_loss: Vec<f64>,
    /// Validation loss per epoch (same units).
    pub val_loss: Vec<f64>,
}

/// Parameter initialisation draws from the backend's global RNG: serialise it so that each
/// member's initial weights depend on its seed only.
static INIT_LOCK: Mutex<()> = Mutex::new(());

/// A network with seeded initial weights on `device`, all lazy parameters materialised.
///
/// Runs in a private one-thread rayon pool: burn may use rayon inside the forward pass below,
/// and a thread of a shared pool waiting there can pick up an unrelated task (another member's
/// initialisation) that then blocks on `INIT_LOCK` held by that very thread — a deadlock seen
/// with `RAYON_NUM_THREADS=1`. The private pool's thread steals only from its own pool.
pub fn init_net(c: &NetConfig, seed: u64, device: &Device) -> FusionNet {
    let init = || {
        let _guard = INIT_LOCK.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        cpu().seed(seed);
        device.seed(seed);
        let net = FusionNet::new(c, device);
        let d: usize = c.token_widths.iter().sum();
        // a forward pass initialises every lazily created parameter while the lock is held
        let _ = net.forward(c, Tensor::zeros([1, d], device), true);
        net
    };
    match rayon::ThreadPoolBuilder::new().num_threads(1).build() {
        Ok(pool) => pool.install(init),
        Err(_) => init(),
    }
}

fn tensor2(v: Vec<f32>, rows: usize, cols: usize, device: &Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(v, [rows, cols]), device)
}

fn to_vec(t: Tensor<2>, what: &str) -> Result<Vec<f32>> {
    t.into_data().try_into_vec_as::<f32>().map_err(|e| MlError::Numerical {
        what: what.into(),
        reason: format!("{e:?}"),
    })
}

/// Predictions (standardised units, n × k row-major) of a network on `x` (n × d), in blocks.
pub fn predict_net(net: &FusionNet, c: &NetConfig, x: &[f32], d: usize, device: &Device) -> Result<Vec<f32>> {
    const BLOCK: usize = 2048;
    let n = x.len() / d.max(1);
    let mut out = Vec::with_capacity(n * c.n_targets);
    for chunk in x.chunks(BLOCK * d) {
        let rows = chunk.len() / d;
        let xt = tensor2(chunk.to_vec(), rows, d, device);
        out.extend(to_vec(net.forward(c, xt, false).pred, "DNN forward")?);
    }
    Ok(out)
}

/// Per-element training loss on standardised targets (residual r = ŷ − y).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Loss {
    /// r²
    Mse,
    /// Huber: r²/2 for |r| ≤ δ, δ(|r| − δ/2) beyond (robust to outliers).
    Huber { delta: f64 },
    /// |r| (the ensemble then estimates a median; matches an MAE metric).
    L1,
}

impl Loss {
    fn element(self, r: f64) -> f64 {
        match self {
            Loss::Mse => r * r,
            Loss::Huber { delta } => {
                if r.abs() <= delta {
                    0.5 * r * r
                } else {
                    delta * (r.abs() - 0.5 * delta)
                }
            }
            Loss::L1 => r.abs(),
        }
    }

    fn tensor(self, pred: Tensor<2>, y: Tensor<2>) -> Tensor<2> {
        match self {
            Loss::Mse => MseLoss::new().forward_no_reduction(pred, y),
            Loss::Huber { delta } => HuberLossConfig::new(delta as f32).init().forward_no_reduction(pred, y),
            Loss::L1 => LpLossConfig::l1().forward_no_reduction(pred, y),
        }
    }
}

/// Task-weighted masked loss, `Σ_k w_k Σ_i m_ik ℓ(ŷ_ik − y_ik) / Σ_i m_ik`.
pub fn weighted_loss(loss: Loss, pred: &[f32], y: &[f32], m: &[f32], w: &[f32]) -> f64 {
    let k = w.len().max(1);
    let mut se = vec![0.0f64; k];
    let mut cnt = vec![0.0f64; k];
    for (i, ((p, t), mm)) in pred.iter().zip(y).zip(m).enumerate() {
        let j = i % k;
        se[j] += f64::from(*mm) * loss.element(f64::from(p - t));
        cnt[j] += f64::from(*mm);
    }
    (0..k)
        .map(|j| f64::from(w[j]) * se[j] / cnt[j].max(1.0))
        .sum()
}

fn loss_tensor(loss: Loss, pred: Tensor<2>, y: Tensor<2>, m: Tensor<2>, w: Tensor<2>) -> Tensor<1> {
    let se = loss.tensor(pred, y) * m.clone();
    let per_task = se.sum_dim(0) / m.sum_dim(0).clamp_min(1.0);
    (per_task * w).sum()
}

/// The training loss of one batch `x` (B × d), targets `y` and mask `m` (B × k, 0 = missing
/// target: that element adds nothing to its task's loss), task weights `w` (1 × k): the
/// task-weighted masked prediction loss ([`weighted_loss`]) plus, when `p.bridge_weight > 0`,
/// `p.bridge_weight ×` the batch's bridge residual ([`super::bridge::bridge_penalty`]; nothing
/// with fewer than two scales). With `bridge_weight = 0` the per-scale views are not even computed.
pub fn batch_loss(net: &FusionNet, c: &NetConfig, p: &DnnParams, x: Tensor<2>, y: Tensor<2>, m: Tensor<2>, w: Tensor<2>) -> Tensor<1> {
    let bridge = p.bridge_weight > 0.0;
    let out = net.forward(c, x, bridge);
    let loss = loss_tensor(p.loss, out.pred, y, m, w);
    match super::bridge::bridge_penalty(out.scale_latents) {
        Some(r) if bridge => loss + r.mul_scalar(p.bridge_weight),
        _ => loss,
    }
}

/// Train one member from a seeded initialisation; returns the best-validation weights (moved
/// off the autodiff device) and the training record.
pub fn train_member(c: &NetConfig, p: &DnnParams, data: &Prepared, seed: u64) -> Result<(FusionNet, MemberInfo)> {
    let dev = cpu_autodiff();
    let plain = cpu();
    let (n, d, k) = (data.n_tr(), data.d, data.k);
    let bs = p.batch_size.min(n).max(1);
    let steps_per_epoch = n.div_ceil(bs);
    let warm = (p.warmup_epochs * steps_per_epoch).max(1);
    let decay = (p.decay_every_epochs * steps_per_epoch).max(1);
    let sched = SequentialLrSchedulerConfig::new(
        vec![
            LrSchedulerConfig::Linear(LinearLrSchedulerConfig::new(
                p.learning_rate / warm as f64,
                p.learning_rate,
                warm,
            )),
            LrSchedulerConfig::Step(StepLrSchedulerConfig::new(p.learning_rate, decay).with_gamma(p.decay_gamma)),
        ],
        vec![warm],
    );
    let mut sched = sched
        .init()
        .map_err(|e| MlError::param("learning rate schedule", p.learning_rate, e.as_str()))?;
    let wd = (p.weight_decay > 0.0).then(|| WeightDecayConfig::new(p.weight_decay as f32));
    let mut optim = AdamConfig::new().with_weight_decay(wd).init();

    let mut net = init_net(c, seed, &dev);
    let w = tensor2(data.task_w.clone(), 1, k, &dev);
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5851_f42d_4c95_7f2d);
    let mut order: Vec<usize> = (0..n).collect();
    let mut info = MemberInfo {
        seed,
        best_epoch: 0,
        epochs_run: 0,
        train_loss: Vec::new(),
        val_loss: Vec::new(),
    };
    let mut best: Option<FusionNet> = None;
    let mut best_loss = f64::INFINITY;
    for epoch in 1..=p.max_epochs {
        order.shuffle(&mut rng);
        let mut epoch_loss = 0.0;
        for batch in order.chunks(bs) {
            let b = batch.len();
            let mut xb = Vec::with_capacity(b * d);
            let mut yb = Vec::with_capacity(b * k);
            let mut mb = Vec::with_capacity(b * k);
            for &i in batch {
                xb.extend_from_slice(&data.x_tr[i * d..(i + 1) * d]);
                yb.extend_from_slice(&data.y_tr[i * k..(i + 1) * k]);
                mb.extend_from_slice(&data.m_tr[i * k..(i + 1) * k]);
            }
            let loss = batch_loss(&net, c, p, tensor2(xb, b, d, &dev), tensor2(yb, b, k, &dev), tensor2(mb, b, k, &dev), w.clone());
            let lv = loss.clone().into_data().try_into_vec_as::<f32>().ok().and_then(|v| v.first().copied());
            let lv = f64::from(lv.unwrap_or(f32::NAN));
            if !lv.is_finite() {
                return Err(MlError::Numerical {
                    what: format!("DNN training (member seed {seed}, epoch {epoch})"),
                    reason: "the loss is not finite; lower learning_rate".into(),
                });
            }
            epoch_loss += lv * b as f64;
            let grads = GradientsParams::from_grads(loss.backward(), &net);
            net = optim.step(sched.step(), net, grads);
        }
        info.train_loss.push(epoch_loss / n as f64);
        let snapshot = net.valid();
        let pv = predict_net(&snapshot, c, &data.x_va, d, &plain)?;
        let vl = weighted_loss(p.loss, &pv, &data.y_va, &data.m_va, &data.task_w);
        info.val_loss.push(vl);
        info.epochs_run = epoch;
        if vl < best_loss {
            best_loss = vl;
            info.best_epoch = epoch;
            best = Some(snapshot);
        } else if epoch >= info.best_epoch + p.patience {
            break;
        }
    }
    let best = best.ok_or_else(|| MlError::Numerical {
        what: format!("DNN training (member seed {seed})"),
        reason: "no finite validation loss".into(),
    })?;
    Ok((best, info))
}
