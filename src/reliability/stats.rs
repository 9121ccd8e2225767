//! Interval arithmetic shared by the estimators.

/// Clopper-Pearson 95% interval for `k` failures in `n` trials; exact
/// coverage even when no failure was seen (then the low end is 0). Shares
/// the capacity module's Beta quantiles: statrs' never returned for some
/// large `n` (k = 840 of 40 million).
pub fn clopper_pearson(k: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    crate::capacity::st_flow::clopper_pearson(k.min(n), n, 0.05)
}

/// Running sums for a mean of non-negative samples, merged in batch order.
#[derive(Clone, Copy, Debug, Default)]
pub struct Moments {
    pub n: u64,
    pub sum: f64,
    pub sum_sq: f64,
}

impl Moments {
    pub fn push(&mut self, y: f64) {
        self.n += 1;
        self.sum += y;
        self.sum_sq += y * y;
    }
    pub fn merge(&mut self, o: &Moments) {
        self.n += o.n;
        self.sum += o.sum;
        self.sum_sq += o.sum_sq;
    }
    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.sum / self.n as f64
        }
    }
    /// Standard error of the mean (sample variance with n-1).
    pub fn std_error(&self) -> f64 {
        if self.n < 2 {
            return f64::INFINITY;
        }
        let n = self.n as f64;
        let m = self.mean();
        let var = ((self.sum_sq - n * m * m) / (n - 1.0)).max(0.0);
        (var / n).sqrt()
    }
    pub fn relative_error(&self) -> f64 {
        let m = self.mean();
        if m > 0.0 {
            self.std_error() / m
        } else {
            f64::INFINITY
        }
    }
}
