//! How a command fails: through the user's input (exit code 2) or otherwise (exit code 1).

#[derive(Debug)]
pub enum Failure {
    /// Bad input: a file that cannot be imported, an impossible option. Exit code 2.
    Input(String),
    Other(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Other(e)
    }
}

impl From<store::StoreError> for Failure {
    fn from(e: store::StoreError) -> Self {
        Failure::Other(e.into())
    }
}
