//! Alignment of language versions: paragraphs, then sentences inside aligned paragraphs.
