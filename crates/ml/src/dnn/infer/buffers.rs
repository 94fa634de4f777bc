//! Work buffers: 64-byte aligned `f32` storage, the per-block scratch space and the
//! thread-local cache that keeps both between calls.

use super::*;

/// An `f32` buffer whose first value is 64-byte aligned: with rows of a multiple of 16 values,
/// every 512-bit load and store of a row stays inside one cache line (an unaligned buffer
/// splits each of them over two lines, which halves the load throughput of the kernels).
#[derive(Debug, Clone, Default)]
pub(crate) struct Aligned {
    pub(crate) lines: Vec<Line>,
    pub(crate) len: usize,
}

#[derive(Debug, Clone, Copy)]
#[repr(C, align(64))]
pub(crate) struct Line([f32; 16]);

impl Aligned {
    pub(crate) fn zeros(len: usize) -> Aligned {
        Aligned { lines: vec![Line([0.0; 16]); len.div_ceil(16)], len }
    }

    pub(crate) fn from_slice(v: &[f32]) -> Aligned {
        let mut a = Aligned::zeros(v.len());
        a.copy_from_slice(v);
        a
    }
}

impl std::ops::Deref for Aligned {
    type Target = [f32];
    fn deref(&self) -> &[f32] {
        // SAFETY: `Line` is `repr(C)` over `[f32; 16]`, so the lines are `16·lines.len() ≥ len`
        // contiguous, initialised f32 values.
        unsafe { std::slice::from_raw_parts(self.lines.as_ptr().cast::<f32>(), self.len) }
    }
}

impl std::ops::DerefMut for Aligned {
    fn deref_mut(&mut self) -> &mut [f32] {
        // SAFETY: as in `deref`, with exclusive access through `&mut self`.
        unsafe { std::slice::from_raw_parts_mut(self.lines.as_mut_ptr().cast::<f32>(), self.len) }
    }
}

/// Work buffers of one block, kept per thread between calls ([`Scratch::with`]).
pub(crate) struct Scratch {
    /// (token rows, d, d_ff) they are sized for.
    pub(crate) dims: (usize, usize, usize),
    pub(crate) h: Aligned,
    pub(crate) y: Aligned,
    pub(crate) qkv: Aligned,
    pub(crate) ctx: Aligned,
    pub(crate) ff: Aligned,
}

impl Scratch {
    /// For `rows` token rows of width `d` and feed-forward width `d_ff`.
    pub(crate) fn new((rows, d, d_ff): (usize, usize, usize)) -> Scratch {
        let z = Aligned::zeros;
        Scratch {
            dims: (rows, d, d_ff),
            h: z(rows * d),
            y: z(rows * d),
            qkv: z(rows * 3 * d),
            ctx: z(rows * d),
            ff: z(rows * d_ff),
        }
    }

    /// Runs `f` with this thread's buffers of size `dims`, allocated on first use and kept (half
    /// a megabyte freshly allocated per call costs an mmap and its page faults every time).
    pub(crate) fn with<R>(dims: (usize, usize, usize), f: impl FnOnce(&mut Scratch) -> R) -> R {
        thread_local! {
            static CACHE: RefCell<Option<Scratch>> = const { RefCell::new(None) };
        }
        with_cached(&CACHE, |c| c.filter(|s| s.dims == dims).unwrap_or_else(|| Scratch::new(dims)), f)
    }
}

/// Runs `f` on a value kept in the thread-local `cache` between calls: `prepare` turns the kept
/// value (`None` on first use, or after a panic inside `f`) into the one to use, and it is put
/// back afterwards (taken out meanwhile, so a nested call prepares its own).
pub(crate) fn with_cached<T: 'static, R>(
    cache: &'static std::thread::LocalKey<RefCell<Option<T>>>,
    prepare: impl FnOnce(Option<T>) -> T,
    f: impl FnOnce(&mut T) -> R,
) -> R {
    let mut value = prepare(cache.with(|c| c.borrow_mut().take()));
    let r = f(&mut value);
    cache.with(|c| *c.borrow_mut() = Some(value));
    r
}
