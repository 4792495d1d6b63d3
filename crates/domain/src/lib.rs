//! zesummen's domain: the types that parse and validate themselves, and the rules.
//!
//! Nothing here does I/O. Time comes in as a parameter ([`Clock`]), so tests control it.

pub mod account;
pub mod action;
pub mod attachment;
pub mod batch;
pub mod classify;
pub mod clock;
pub mod communes;
pub mod concepts;
pub mod id;
pub mod limits;
pub mod local_time;
pub mod practice;
pub mod revision;
pub mod rules;
pub mod spiral;
pub mod synthesis;
pub mod text;

pub use account::{Account, AccountError, Email, Password, Role};
pub use action::{ActionStatus, Evaluation, Indicator, IndicatorError, PilotAction};
pub use batch::{Batch, Diagnostic, Format};
pub use clock::{Clock, FixedClock, SystemClock};
pub use id::{
    AccountId, ActionId, AttachmentId, CriterionId, GroupId, IdError, IndicatorId, PlatformId,
    PracticeId,
};
pub use practice::{Contact, Language, Practice, PracticeFields, PracticeRecord, Source, Status};
pub use revision::{FieldChange, Transition, TransitionError};
pub use spiral::{
    Codebook, CodebookEntry, ComponentCode, Criterion, HomogeneousGroup, MeaningCode, MeaningEntry,
    Platform, QuestionEntry, Reference, ScaleLevel,
};
pub use synthesis::{GroupSynthesis, Statistics, Synthesis, SynthesisRow, Tally};
