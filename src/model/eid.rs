//! eIds
