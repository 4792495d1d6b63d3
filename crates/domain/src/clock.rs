//! Time as a parameter: code that stamps records asks a [`Clock`], never the system directly.

use chrono::{DateTime, SubsecRound, Utc};

pub trait Clock: Send + Sync {
    /// The current instant, truncated to whole seconds so that every backend stores it the same way.
    fn now(&self) -> DateTime<Utc>;
}

/// The wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now().trunc_subsecs(0)
    }
}

/// A clock that always answers the same instant (tests, reproducible imports).
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0.trunc_subsecs(0)
    }
}
