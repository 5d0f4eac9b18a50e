//! The strategy itself, free of FFI: per symbol a fast and a slow exponential moving average of
//! the closes; the fast one crossing above the slow one is a BUY, crossing below a SELL.

use std::collections::HashMap;

/// Exponential moving average, seeded with the mean of its first `period` values.
pub struct Ema {
    period: usize,
    k: f64,
    seen: usize,
    sum: f64,
    value: f64,
}

impl Ema {
    pub fn new(period: usize) -> Ema {
        Ema {
            period,
            k: 2.0 / (period as f64 + 1.0),
            seen: 0,
            sum: 0.0,
            value: 0.0,
        }
    }

    /// Adds a value; the average once `period` values were seen.
    pub fn update(&mut self, x: f64) -> Option<f64> {
        if self.seen < self.period {
            self.seen += 1;
            self.sum += x;
            if self.seen < self.period {
                return None;
            }
            self.value = self.sum / self.period as f64;
        } else {
            self.value += (x - self.value) * self.k;
        }
        Some(self.value)
    }
}

#[derive(Debug, PartialEq)]
pub struct Crossing {
    pub up: bool,
    pub fast: f64,
    pub slow: f64,
}

struct SymbolState {
    fast: Ema,
    slow: Ema,
    fast_above: Option<bool>,
}

pub struct EmaCross {
    fast_period: usize,
    slow_period: usize,
    symbols: HashMap<String, SymbolState>,
}

impl EmaCross {
    pub fn new(fast_period: usize, slow_period: usize) -> EmaCross {
        EmaCross {
            fast_period,
            slow_period,
            symbols: HashMap::new(),
        }
    }

    /// Bars needed before the first crossing can be seen.
    pub fn warmup_bars(&self) -> usize {
        self.slow_period + 1
    }

    /// Adds a symbol's close; the crossing it completes, if any.
    pub fn update(&mut self, symbol: &str, close: f64) -> Option<Crossing> {
        if !self.symbols.contains_key(symbol) {
            let state = SymbolState {
                fast: Ema::new(self.fast_period),
                slow: Ema::new(self.slow_period),
                fast_above: None,
            };
            self.symbols.insert(symbol.to_string(), state);
        }
        let state = self.symbols.get_mut(symbol)?;
        let fast = state.fast.update(close);
        let slow = state.slow.update(close);
        let (fast, slow) = match (fast, slow) {
            (Some(fast), Some(slow)) if fast != slow => (fast, slow),
            _ => return None,
        };
        let up = fast > slow;
        let crossed = state.fast_above.map_or(false, |was_up| was_up != up);
        state.fast_above = Some(up);
        if crossed {
            Some(Crossing { up, fast, slow })
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ema_is_seeded_with_the_mean_then_smooths() {
        let mut ema = Ema::new(3);
        assert_eq!(ema.update(1.0), None);
        assert_eq!(ema.update(2.0), None);
        assert_eq!(ema.update(3.0), Some(2.0));
        assert_eq!(ema.update(6.0), Some(4.0)); // 2 + (6 - 2) * 0.5
    }

    #[test]
    fn a_rise_after_a_fall_is_a_buy_then_a_fall_a_sell() {
        let mut strategy = EmaCross::new(2, 4);
        let closes = [10.0, 9.0, 8.0, 7.0, 6.0, 9.0, 12.0, 8.0, 4.0];
        let crossings: Vec<(usize, bool)> = closes
            .iter()
            .enumerate()
            .filter_map(|(i, &c)| strategy.update("BTC/USDT", c).map(|x| (i, x.up)))
            .collect();
        assert_eq!(crossings, vec![(5, true), (7, false)]);
    }

    #[test]
    fn symbols_are_independent() {
        let mut strategy = EmaCross::new(1, 2);
        assert_eq!(strategy.update("A", 1.0), None);
        assert_eq!(strategy.update("B", 5.0), None);
        assert_eq!(strategy.update("A", 2.0), None); // first comparison: no crossing yet
        assert_eq!(strategy.update("B", 4.0), None);
        let down = strategy.update("A", 1.0).expect("A crosses down");
        assert!(!down.up);
        assert_eq!(strategy.update("B", 3.0), None); // B keeps falling: no crossing
    }
}
