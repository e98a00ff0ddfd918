//! event: who did what to whom — PLOVER events between the mentions of a sentence
//! (placeholder until the event coder lands).

use std::io::Write;

use crate::dict::Dictionaries;
use crate::error::Error;
use crate::normalize::Normalized;
use crate::read::Document;
use crate::resolve::Mention;
use crate::segment::Segments;

/// One event of `events.jsonl`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Event {
    /// Sentence index.
    pub sentence: u32,
    /// Cue start, bytes of the original file.
    pub start: usize,
    /// Cue end, exclusive.
    pub end: usize,
    /// The cue's text.
    pub cue: String,
    /// PLOVER type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Source actor ids.
    pub source: Vec<String>,
    /// Recipient actor ids.
    pub recipient: Vec<String>,
    /// Countries of the sources.
    pub source_country: Vec<String>,
    /// Countries of the recipients.
    pub recipient_country: Vec<String>,
    /// future, negation, hypothetical, historical.
    pub context: Vec<String>,
    /// PLOVER mode, where one applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
}

/// The event coder, built once from the dictionaries' cue lexicon.
pub struct EventCoder {}

impl EventCoder {
    /// Builds the coder from `cues.tsv`.
    pub fn new(_dicts: &Dictionaries) -> Result<EventCoder, Error> {
        Ok(EventCoder {})
    }

    /// The events of one document, in document order.
    pub fn code(
        &self,
        _dicts: &Dictionaries,
        _doc: &Document,
        _norm: &Normalized,
        _seg: &Segments,
        _mentions: &[Mention],
        _speakers: &[Option<String>],
    ) -> Vec<Event> {
        Vec::new()
    }
}

/// Writes one document's events as JSON Lines.
pub fn write(w: &mut dyn Write, doc: &str, events: &[Event]) -> std::io::Result<()> {
    #[derive(serde::Serialize)]
    struct Line<'a> {
        doc: &'a str,
        #[serde(flatten)]
        event: &'a Event,
    }
    for e in events {
        serde_json::to_writer(&mut *w, &Line { doc, event: e })?;
        w.write_all(b"\n")?;
    }
    Ok(())
}
