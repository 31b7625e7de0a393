//! accord: aligned multilingual datasets from the language versions of official documents.
//!
//! The pipeline reads like its modules: [`ingest`] (source formats → [`model`]) →
//! [`validate`] → [`align`] → export; [`review`] reads a reviewed workbook back into
//! alignment decisions; [`cmd`] holds one file per subcommand.

pub mod align;
pub mod cmd;
pub mod diag;
pub mod digest;
pub mod export;
pub mod furniture;
pub mod ingest;
pub mod lang;
pub mod model;
pub mod release;
pub mod review;
pub mod scan;
pub mod validate;
pub mod whitespace;
