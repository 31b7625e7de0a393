//! Diagnostics: errors and warnings as values, each with a source location, a code, a
//! message and a hint. Nothing in accord panics on input; it reports one of these.

use std::fmt;
use std::path::Path;

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// A position in a source file; `line` and `col` are 1-based, `col` counts characters.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Location {
    pub path: String,
    pub line: u32,
    pub col: u32,
}

impl Location {
    pub fn new(path: &str, line: u32, col: u32) -> Self {
        Location { path: path.to_string(), line, col }
    }

    /// A location for problems that concern a whole file or folder.
    pub fn file(path: &Path) -> Self {
        Location { path: display_path(path), line: 0, col: 0 }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 { write!(f, "{}", self.path) } else { write!(f, "{}:{}:{}", self.path, self.line, self.col) }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: &'static str,
    #[serde(flatten)]
    pub location: Location,
    pub message: String,
    pub hint: String,
}

impl Diagnostic {
    pub fn error(code: &'static str, location: Location, message: impl Into<String>, hint: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Error, code, location, message: message.into(), hint: hint.into() }
    }

    pub fn warning(
        code: &'static str,
        location: Location,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Diagnostic { severity: Severity::Warning, code, location, message: message.into(), hint: hint.into() }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}: {}[{}]: {}", self.location, level, self.code, self.message)?;
        if !self.hint.is_empty() {
            write!(f, "\n  hint: {}", self.hint)?;
        }
        Ok(())
    }
}

/// Paths in diagnostics and in the model use `/` whatever the platform, so outputs are
/// the same bytes everywhere.
pub fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// Sorts diagnostics by location then code so reports do not depend on thread scheduling.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| a.location.cmp(&b.location).then(a.code.cmp(b.code)).then(a.message.cmp(&b.message)));
}
