//! export: writes the outputs — `mentions.jsonl`; from the graph `graph.graphml`,
//! `graph.gexf`, `graph.json`, `nodes.csv`, `edges.csv`, `evidence.jsonl`, `run.json` and
//! `report.html` ([`write_graph`]); and the event layer's `events.graphml` and `dyads.csv` —
//! each to a temporary file in the output folder that is renamed into place only when
//! complete, so an interrupted run never leaves a half-written file and a previous good output
//! survives.

pub mod csv;
pub mod events;
pub mod evidence;
pub mod gexf;
pub mod graphml;
pub mod json;
pub mod mentions;
pub mod report;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::Error;
use crate::graph::CoGraph;

/// A number as JSON and GraphML want it: integral values without a fraction.
pub fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// A float as every export writes it: Rust's shortest round-trip form (`1`, `0.25`, `-0.4`),
/// 0 for what is not finite.
pub fn push_float(out: &mut String, v: f64) {
    use std::fmt::Write as _;
    if v.is_finite() {
        write!(out, "{v}").expect("a String takes any text");
    } else {
        out.push('0');
    }
}

/// `s` escaped for XML text or an attribute value, pushed onto `out`.
pub(crate) fn push_escaped(out: &mut String, s: &str) {
    use std::fmt::Write as _;
    write!(out, "{}", Escaped(s)).expect("a String takes any text");
}

/// An XML edge element's start, `<edge id="eI" source="…" target="…"`, left open for the
/// format's own attributes (GraphML and GEXF name edges alike).
pub(crate) fn push_edge_start(out: &mut String, indent: &str, i: usize, source: &str, target: &str) {
    out.push_str(indent);
    out.push_str(r#"<edge id="e"#);
    out.push_str(itoa::Buffer::new().format(i));
    out.push_str(r#"" source=""#);
    push_escaped(out, source);
    out.push_str(r#"" target=""#);
    push_escaped(out, target);
    out.push('"');
}

/// How an XML export writes one named value: `open` name `mid` value `close` (a GraphML
/// `<data key="…">…</data>`, a GEXF `<attvalue for="…" value="…"/>`). Rows are built in one
/// reusable String and written whole (a GEXF is ~750,000 short lines, and formatting each
/// through `writeln!` into the file was most of its time).
pub(crate) struct Markup {
    pub open: &'static str,
    pub mid: &'static str,
    pub close: &'static str,
}

impl Markup {
    /// The value pushed by `value`.
    pub fn with(&self, out: &mut String, name: &str, value: impl FnOnce(&mut String)) {
        out.push_str(self.open);
        out.push_str(name);
        out.push_str(self.mid);
        value(out);
        out.push_str(self.close);
    }

    /// A text, escaped; none for an empty one.
    pub fn text(&self, out: &mut String, name: &str, v: &str) {
        if !v.trim().is_empty() {
            self.with(out, name, |o| push_escaped(o, v));
        }
    }

    /// A value that needs no escape (a number, an escaped text).
    pub fn raw(&self, out: &mut String, name: &str, v: &str) {
        self.with(out, name, |o| o.push_str(v));
    }

    /// A float, as every export writes it.
    pub fn float(&self, out: &mut String, name: &str, v: f64) {
        self.with(out, name, |o| push_float(o, v));
    }

    /// An edge's values in the order both XML exports declare them (windows, documents, pmi,
    /// npmi, jaccard, first, last, evidence), under the file's `names` for them; `evidence`
    /// holds the first sentences escaped.
    pub fn edge_values(&self, out: &mut String, names: [&str; 8], e: &crate::graph::Edge, evidence: &Rendered<Option<String>>) {
        self.raw(out, names[0], itoa::Buffer::new().format(e.windows));
        self.raw(out, names[1], itoa::Buffer::new().format(e.documents));
        self.float(out, names[2], e.pmi);
        self.float(out, names[3], e.npmi);
        self.float(out, names[4], e.jaccard);
        self.text(out, names[5], e.first.as_deref().unwrap_or(""));
        self.text(out, names[6], e.last.as_deref().unwrap_or(""));
        if let Some(v) = e.evidence.first().and_then(|v| evidence.get(&v.text).as_deref()) {
            self.raw(out, names[7], v);
        }
    }
}

/// [`push_float`] into a String of its own.
pub fn float(v: f64) -> String {
    let mut s = String::new();
    push_float(&mut s, v);
    s
}

/// Evidence sentences, each rendered once for one file. A sentence is shared (one `Arc`) by
/// every pair of its window: a list of 40 states is one sentence for 780 edges, and escaping
/// it again for each edge was a twentieth of a whole-corpus run. Equal texts held in different
/// allocations are rendered once each, so the output is the same either way.
pub(crate) struct Rendered<T>(std::collections::HashMap<usize, T>);

impl<T> Rendered<T> {
    /// Renders each distinct text of `texts`.
    pub(crate) fn new<'a>(texts: impl IntoIterator<Item = &'a Arc<str>>, render: impl Fn(&str) -> T) -> Rendered<T> {
        let mut map = std::collections::HashMap::new();
        for t in texts {
            map.entry(Rendered::<T>::key(t)).or_insert_with(|| render(t));
        }
        Rendered(map)
    }

    /// Each edge's first evidence sentence, rendered.
    pub(crate) fn first_evidence(g: &CoGraph, render: impl Fn(&str) -> T) -> Rendered<T> {
        Rendered::new(g.graph.edge_weights().filter_map(|w| w.evidence.first().map(|v| &v.text)), render)
    }

    /// The rendering of `text`, which must be one of the texts it was made from.
    pub(crate) fn get(&self, text: &Arc<str>) -> &T {
        &self.0[&Rendered::<T>::key(text)]
    }

    fn key(text: &Arc<str>) -> usize {
        Arc::as_ptr(text) as *const u8 as usize
    }
}

/// Each edge's first evidence sentence escaped for XML, for GraphML and GEXF; none for a blank
/// one (decided here, where the text is read anyway: a check per edge while writing reached
/// into 30,000 texts long out of the cache).
pub(crate) fn xml_evidence(g: &CoGraph) -> Rendered<Option<String>> {
    Rendered::first_evidence(g, |s| (!s.trim().is_empty()).then(|| Escaped(s).to_string()))
}

/// Every edge's evidence sentences as JSON strings, for `evidence.jsonl` and `graph.json`.
pub(crate) fn json_evidence(g: &CoGraph) -> Rendered<Box<serde_json::value::RawValue>> {
    Rendered::new(g.graph.edge_weights().flat_map(|w| w.evidence.iter().map(|v| &v.text)), json_string)
}

/// `s` as a JSON string, as serde_json writes it. Most strings need no escape and are copied
/// as they are; serde_json does the rest.
pub(crate) fn json_str(w: &mut impl Write, s: &str) -> std::io::Result<()> {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        w.write_all(b"\"")?;
        w.write_all(s.as_bytes())?;
        w.write_all(b"\"")
    } else {
        serde_json::to_writer(w, s).map_err(std::io::Error::from)
    }
}

/// An optional string field (`name` holds its comma, key and colon), left out when absent.
pub(crate) fn json_opt_str(w: &mut impl Write, name: &[u8], v: Option<&str>) -> std::io::Result<()> {
    match v {
        Some(v) => {
            w.write_all(name)?;
            json_str(w, v)
        }
        None => Ok(()),
    }
}

/// An integer as JSON.
pub(crate) fn json_int(w: &mut impl Write, n: impl itoa::Integer) -> std::io::Result<()> {
    w.write_all(itoa::Buffer::new().format(n).as_bytes())
}

/// A float as serde_json writes it (`null` for what is not finite).
pub(crate) fn json_f64(w: &mut impl Write, v: f64) -> std::io::Result<()> {
    serde_json::to_writer(w, &v).map_err(std::io::Error::from)
}

/// A text as a JSON string, escaped once, to be written many times by serde.
pub(crate) fn json_string(s: &str) -> Box<serde_json::value::RawValue> {
    let quoted = serde_json::to_string(s).expect("a string serializes");
    serde_json::value::RawValue::from_string(quoted).expect("a serialized string is JSON")
}

/// The stamp and the corpus figures every graph export carries: version, dictionary
/// fingerprint, options, which measure is the weight, documents and windows counted.
pub fn stamp_json(g: &CoGraph) -> serde_json::Map<String, serde_json::Value> {
    let s = &g.stamp;
    let options: serde_json::Map<String, serde_json::Value> = s.options.iter().map(|(k, v)| (k.clone(), v.clone().into())).collect();
    let serde_json::Value::Object(map) = serde_json::json!({
        "diplograph": s.version,
        "dictionaries": s.dictionaries,
        "options": options,
        "weight": g.weight_by.as_str(),
        "documents": g.documents,
        "windows": g.windows,
    }) else {
        unreachable!("a JSON object literal")
    };
    map
}

/// The sidecar `run.json`: the stamp and figures of the run, for the CSV files and a diff of
/// batches (no hosts or times, and no paths but those of the inputs skipped or mended).
pub fn run_json(g: &CoGraph, summary: &report::Summary) -> serde_json::Value {
    let range = g.date_range();
    let mut map = stamp_json(g);
    map.insert("nodes".into(), g.graph.node_count().into());
    map.insert("edges".into(), g.graph.edge_count().into());
    map.insert("first".into(), range.map(|r| r.0).into());
    map.insert("last".into(), range.map(|r| r.1).into());
    map.insert("files".into(), GRAPH_FILES.to_vec().into());
    let inputs = serde_json::json!({
        "documents": summary.documents,
        "mentions": summary.mentions,
        "events": summary.events,
        "skipped": summary.lost.listed,
        "skipped_not_listed": summary.lost.more,
        "mended": summary.mended.listed,
        "mended_not_listed": summary.mended.more,
    });
    map.insert("inputs".into(), inputs);
    serde_json::Value::Object(map)
}

/// The files [`write_graph`] writes, in order.
pub const GRAPH_FILES: [&str; 8] =
    ["graph.graphml", "graph.gexf", "graph.json", "nodes.csv", "edges.csv", "evidence.jsonl", "run.json", "report.html"];

/// Writes every export of the graph into `dir`, in [`GRAPH_FILES`] order, each being made
/// durable and renamed into place (see [`Settling`]).
pub fn write_graph(dir: &Path, g: &CoGraph, summary: &report::Summary) -> Result<Vec<Settling>, Error> {
    let json_line = |w: &mut FileWriter, v: &serde_json::Value| -> std::io::Result<()> {
        serde_json::to_writer(&mut *w, v)?;
        w.write_all(b"\n")
    };
    // The evidence sentences are escaped once for both XML files and quoted once for both JSON
    // files (graph.json's first sentences are among evidence.jsonl's).
    let (xml, json) = rayon::join(|| xml_evidence(g), || json_evidence(g));
    let (xml, json) = (&xml, &json);
    // The files are independent and written in parallel on the current pool, longest first
    // (by their time on corpus/zh at -j 1: 66, 43, 38, 35, 33, 7, 1 and 0 ms), each thread
    // taking the next file when done with one: the run ends when the last file does. (With
    // the JSON after the evidence, two threads ended 35 ms apart: the GEXF and the JSON, 0.14 s,
    // on one, the four next, 0.11 s, on the other.)
    let jobs: Vec<(usize, Job)> = vec![
        (1, Box::new(|| settle_file(dir, GRAPH_FILES[1], |w| write!(w, "{}", gexf::GexfWith(g, xml))))),
        (2, Box::new(|| settle_file(dir, GRAPH_FILES[2], |w| json::write_node_link_with(w, g, json)))),
        (0, Box::new(|| settle_file(dir, GRAPH_FILES[0], |w| write!(w, "{}", graphml::GraphMlWith(g, xml))))),
        (4, Box::new(|| settle_file(dir, GRAPH_FILES[4], |w| csv::edges(w, g)))),
        (5, Box::new(|| settle_file(dir, GRAPH_FILES[5], |w| evidence::write_with(w, g, json)))),
        (7, Box::new(|| settle_file(dir, GRAPH_FILES[7], |w| write!(w, "{}", report::Html { graph: g, summary })))),
        (3, Box::new(|| settle_file(dir, GRAPH_FILES[3], |w| csv::nodes(w, g)))),
        (6, Box::new(|| settle_file(dir, GRAPH_FILES[6], |w| json_line(w, &run_json(g, summary))))),
    ];
    let mut done = largest_first(jobs);
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// The files [`write_events`] writes.
pub const EVENT_FILES: [&str; 2] = ["events.graphml", "dyads.csv"];

/// Writes the event layer's `events.graphml` and `dyads.csv` into `dir` (see [`Settling`]).
pub fn write_events(
    dir: &Path,
    events: &events::EventAgg,
    dicts: &crate::dict::Dictionaries,
    stamp: &crate::graph::Stamp,
) -> Result<Vec<Settling>, Error> {
    let event_graph = events::EventGraphMl { agg: events, dicts, stamp };
    Ok(vec![
        settle_file(dir, EVENT_FILES[0], |w| write!(w, "{event_graph}"))?,
        settle_file(dir, EVENT_FILES[1], |w| events::write_dyads(w, events))?,
    ])
}

/// One file to write.
type Job<'a> = Box<dyn Fn() -> Result<Settling, Error> + Send + Sync + 'a>;

/// Runs `jobs` on the current pool in the order given, each thread taking the next when it is
/// done with one; returns each job's key and result.
fn largest_first(jobs: Vec<(usize, Job)>) -> Vec<(usize, Result<Settling, Error>)> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let done = std::sync::Mutex::new(Vec::with_capacity(jobs.len()));
    rayon::scope(|s| {
        for _ in 0..rayon::current_num_threads().min(jobs.len()) {
            s.spawn(|_| {
                while let Some((key, job)) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let r = job();
                    done.lock().expect("no job panics holding the lock").push((*key, r));
                }
            });
        }
    });
    done.into_inner().expect("no job panics holding the lock")
}

/// The writer every export writes into: the concrete buffered file, so that serializers
/// writing small pieces make no virtual call per piece.
pub type FileWriter = std::io::BufWriter<std::fs::File>;

/// A temporary file `dir/.name.XXXXXX` that will be renamed to `dir/name`. It is opened with
/// mode 0666 so that the user's umask decides, as for any file a program creates: the
/// temporary-file default of 0600 would survive the rename and hide the outputs from the
/// user's group. See [`temporary`].
pub(crate) fn temp_beside(dir: &Path, name: &str) -> std::io::Result<tempfile::NamedTempFile> {
    temporary(name, |builder| {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        builder.tempfile_in(dir)
    })
}

/// A file of the run's own named `.name.XXXXXX` (the name [`sweep_temporaries`] knows), made
/// by `make` in its folder from a builder that gives that name. It is listed among the [`TEMPORARIES`]
/// until it is renamed into place or removed, and none is made once [`remove_temporaries`] has
/// run.
fn temporary<F>(name: &str, make: impl FnOnce(&mut tempfile::Builder) -> std::io::Result<tempfile::NamedTempFile<F>>) -> std::io::Result<tempfile::NamedTempFile<F>> {
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).rand_bytes(TEMP_RAND_BYTES);
    // The list is held while the file is made, so that an interruption removes it too.
    let mut live = temporaries();
    if live.closed {
        return Err(std::io::Error::new(std::io::ErrorKind::Interrupted, "the run was interrupted"));
    }
    let tmp = make(&mut builder)?;
    live.paths.push(tmp.path().to_path_buf());
    Ok(tmp)
}

/// The random characters of a temporary file's name (tempfile's default).
const TEMP_RAND_BYTES: usize = 6;

/// The temporary files of this process not yet renamed into place.
struct Temporaries {
    paths: Vec<PathBuf>,
    /// Set by [`remove_temporaries`]: no more are made.
    closed: bool,
}

static TEMPORARIES: std::sync::Mutex<Temporaries> = std::sync::Mutex::new(Temporaries { paths: Vec::new(), closed: false });

fn temporaries() -> std::sync::MutexGuard<'static, Temporaries> {
    TEMPORARIES.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// For an interrupted run (the command calls it on Ctrl-C or SIGTERM, then exits): removes
/// every temporary output file this process has not renamed into place, and lets no new one
/// be made. The outputs in place stay as they were: each is a whole file, of this run or of
/// the one before. Returns how many files were removed.
pub fn remove_temporaries() -> usize {
    let mut live = temporaries();
    live.closed = true;
    live.paths.drain(..).filter(|p| std::fs::remove_file(p).is_ok()).count()
}

/// Every file name an output folder may get (the temporary files are named after them).
pub(crate) fn output_names() -> impl Iterator<Item = &'static str> {
    use crate::partial::{EVENTS, MENTIONS, PARTIAL_JSON, TOTALS_JSON};
    GRAPH_FILES.into_iter().chain(EVENT_FILES).chain([MENTIONS, EVENTS, PARTIAL_JSON, TOTALS_JSON])
}

/// Makes `dir` ready for a run's outputs: created if need be, held for this run (see
/// [`OutputLock`]), and swept of a killed run's temporary files ([`sweep_temporaries`]; how
/// many, returned). A file in its place is a usage error (it was "File exists (os error 17)"),
/// and so is a folder another run holds.
pub fn output_folder(dir: &Path) -> Result<(usize, OutputLock), Error> {
    if std::fs::metadata(dir).is_ok_and(|m| !m.is_dir()) {
        return Err(Error::Usage(format!("output folder {}: a file is there, not a folder", dir.display())));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    // The folder itself is locked, so that no lock file is left among the outputs. (Where a
    // folder cannot be opened or locked, on Windows or some network file systems, the run
    // goes on unguarded.)
    let held = match std::fs::File::open(dir) {
        Ok(folder) => match folder.try_lock() {
            Ok(()) => Some(folder),
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Error::Usage(format!(
                    "output folder {}: another diplograph run is writing into it; wait for it to end, or give this run its own -o",
                    dir.display()
                )))
            }
            Err(std::fs::TryLockError::Error(_)) => None,
        },
        Err(_) => None,
    };
    Ok((sweep_temporaries(dir)?, OutputLock(held)))
}

/// An output folder held for one run, until dropped: a second run into it (another terminal,
/// a job array's tasks all left at the default `-o output`) swept the first's temporary files
/// as a killed run's and renamed its own outputs among the first's; it is now refused.
#[must_use = "the folder is held only while the lock lives"]
pub struct OutputLock(#[allow(dead_code)] Option<std::fs::File>);

/// Removes from `dir` the temporary files of a run that was killed before it could (by
/// SIGKILL, a crash, a power cut): `.name.XXXXXX` for the name of an output. One run at a time
/// writes into a folder, so none of them belongs to a live run. Returns how many it removed.
pub fn sweep_temporaries(dir: &Path) -> Result<usize, Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut removed = 0;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let ours = output_names().any(|out| {
            name.strip_prefix('.')
                .and_then(|rest| rest.strip_prefix(out))
                .and_then(|rest| rest.strip_prefix('.'))
                .is_some_and(|rand| rand.len() == TEMP_RAND_BYTES && rand.bytes().all(|b| b.is_ascii_alphanumeric()))
        });
        if ours && entry.file_type().is_ok_and(|t| t.is_file()) {
            std::fs::remove_file(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// An output file being written: a temporary file beside its final path.
pub struct Output {
    tmp: tempfile::NamedTempFile,
    path: PathBuf,
    writer: Option<FileWriter>,
}

impl Output {
    /// Starts `dir/name`.
    pub fn create(dir: &Path, name: &str) -> Result<Output, Error> {
        let path = dir.join(name);
        let tmp = temp_beside(dir, name).map_err(|e| Error::io(&path, e))?;
        let file = tmp.as_file().try_clone().map_err(|e| Error::io(&path, e))?;
        Ok(Output { tmp, path, writer: Some(std::io::BufWriter::with_capacity(1 << 16, file)) })
    }

    /// The writer.
    pub fn writer(&mut self) -> &mut FileWriter {
        self.writer.as_mut().expect("output already finished")
    }

    /// Flushes the file, makes it durable and renames it into place.
    pub fn finish(self) -> Result<PathBuf, Error> {
        self.settle()?.wait()
    }

    /// Flushes the file and leaves making it durable and renaming it to a thread of its own.
    pub fn settle(mut self) -> Result<Settling, Error> {
        let mut w = self.writer.take().expect("output already finished");
        w.flush().map_err(|e| Error::io(&self.path, e))?;
        let file = w.into_inner().map_err(|e| Error::io(&self.path, e.into_error()))?;
        Settling::start(file, self.tmp, self.path)
    }
}

/// A written file being made durable on a thread of its own, to be renamed into place with
/// the run's other outputs by [`settle_all`]. fsync waits for the disk (0.1 s for the twelve
/// files of a corpus/zh run, a twentieth of it on one thread), and a worker waiting there did
/// nothing else: now it goes on with the next file while the disk catches up, and the run
/// waits once, at its end. Dropped without being settled (on an early return: another output
/// failed), it waits for its thread and removes its temporary file: the file in place stays
/// the run before's.
#[must_use = "a file is in place only once `wait` or `settle_all` returns"]
pub struct Settling(Option<std::thread::JoinHandle<Result<(tempfile::NamedTempFile, PathBuf), Error>>>);

impl Settling {
    /// Syncs `file`, the temporary file `tmp`'s, on a thread of its own; `path` is where it goes.
    pub(crate) fn start(file: std::fs::File, tmp: tempfile::NamedTempFile, path: PathBuf) -> Result<Settling, Error> {
        let at = path.clone();
        let sync = move || {
            file.sync_all().map_err(|e| Error::io(&path, e))?;
            Ok((tmp, path))
        };
        let thread = std::thread::Builder::new().name("settle".into()).spawn(sync).map_err(|e| Error::io(at, e))?;
        Ok(Settling(Some(thread)))
    }

    /// The file, durable, and where it goes.
    fn synced(mut self) -> Result<(tempfile::NamedTempFile, PathBuf), Error> {
        let thread = self.0.take().expect("a Settling is waited for once");
        thread.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    }

    /// The file's path, once it is durable and in place (a file of its own: a run's outputs
    /// go in together, by [`settle_all`]).
    pub fn wait(self) -> Result<PathBuf, Error> {
        let (tmp, path) = self.synced()?;
        put_in_place(tmp, path)
    }
}

impl Drop for Settling {
    fn drop(&mut self) {
        if let Some(thread) = self.0.take() {
            if let Ok(Ok((tmp, _))) = thread.join() {
                forget_temporary(tmp.path());
            }
        }
    }
}

/// Renames the durable temporary file `tmp` to `path`.
fn put_in_place(tmp: tempfile::NamedTempFile, path: PathBuf) -> Result<PathBuf, Error> {
    let from = tmp.path().to_path_buf();
    tmp.persist(&path).map_err(|e| Error::io(&path, e.error))?;
    forget_temporary(&from);
    Ok(path)
}

/// Takes `path` off the list of temporary files to remove on an interrupt.
fn forget_temporary(path: &Path) {
    temporaries().paths.retain(|p| p != path);
}

/// Waits for every file of `files` to be durable, then renames them all into place, in order;
/// if any failed, renames none (each temporary file is removed) and returns the first error.
/// A run that failed writing one output (a full disk at graph.graphml) had renamed the others,
/// and left this run's mentions.jsonl and run.json beside the run before's graph.
pub fn settle_all(files: impl IntoIterator<Item = Settling>) -> Result<Vec<PathBuf>, Error> {
    let (synced, failed): (Vec<_>, Vec<_>) = files.into_iter().map(Settling::synced).partition(Result::is_ok);
    let synced = synced.into_iter().flatten();
    if let Some(Err(first)) = failed.into_iter().next() {
        synced.for_each(|(tmp, _)| forget_temporary(tmp.path()));
        return Err(first);
    }
    // A rename over a file frees the old one's blocks while it holds the folder's lock, so
    // renames on threads of their own took as long, one at a time; where the file system is
    // mounted with `discard` (cloud disks), each waits for the disk to discard them: 55-80 ms
    // for the 231 MB of a corpus/zh run. Each old file is linked aside first, the rename then
    // only drops a name, and the names aside are removed together on threads of their own, the
    // blocks freed outside the lock and the discards overlapping.
    let synced: Vec<_> = synced.collect();
    let aside: Vec<_> = synced.iter().filter_map(|(_, path)| set_aside(path)).collect();
    let placed = synced.into_iter().map(|(tmp, path)| put_in_place(tmp, path)).collect();
    std::thread::scope(|s| {
        for old in aside {
            // (A thread that cannot start drops its closure, and so removes the file, here.)
            let _ = std::thread::Builder::new().name("free".into()).spawn_scoped(s, move || remove_aside(old));
        }
    });
    placed
}

/// A second name for the file at `path`, removed when dropped, if there is a file and the file
/// system links files (see [`settle_all`]). It is a temporary file of the run's until then (see
/// [`temporary`]): an interrupted run removes it, a killed run's is swept by the next.
fn set_aside(path: &Path) -> Option<tempfile::NamedTempFile<()>> {
    let (dir, name) = (path.parent()?, path.file_name()?.to_str()?);
    if !path.is_file() {
        return None;
    }
    temporary(name, |builder| builder.make_in(dir, |new| std::fs::hard_link(path, new))).ok()
}

/// Removes a file [`set_aside`].
fn remove_aside(old: tempfile::NamedTempFile<()>) {
    let path = old.path().to_path_buf();
    drop(old);
    forget_temporary(&path);
}

/// Writes a whole file atomically.
pub fn write_file(dir: &Path, name: &str, f: impl FnOnce(&mut FileWriter) -> std::io::Result<()>) -> Result<PathBuf, Error> {
    settle_file(dir, name, f)?.wait()
}

/// [`write_file`], the file made durable and renamed on a thread of its own.
pub fn settle_file(dir: &Path, name: &str, f: impl FnOnce(&mut FileWriter) -> std::io::Result<()>) -> Result<Settling, Error> {
    let mut out = Output::create(dir, name)?;
    let path = dir.join(name);
    f(out.writer()).map_err(|e| Error::io(&path, e))?;
    out.settle()
}

/// XML text and attribute escaping, and removal of the control characters XML 1.0 forbids.
pub struct Escaped<'a>(pub &'a str);

impl std::fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Runs of ordinary characters go out as one slice; only the few special ones are
        // replaced (a char-by-char write was a fifth of a whole-corpus run). Every special
        // character is ASCII but U+FFFE and U+FFFF (EF BF BE, EF BF BF), so bytes are scanned,
        // not decoded characters.
        let s = self.0;
        let bytes = s.as_bytes();
        let mut run = 0;
        let mut i = 0;
        while i < bytes.len() {
            let (rep, len) = match bytes[i] {
                b'&' => ("&amp;", 1),
                b'<' => ("&lt;", 1),
                b'>' => ("&gt;", 1),
                b'"' => ("&quot;", 1),
                b'\'' => ("&apos;", 1),
                b'\t' | b'\n' | b'\r' => (" ", 1),
                b if b < 0x20 => ("", 1),
                0xEF if matches!(bytes.get(i + 1..i + 3), Some([0xBF, 0xBE | 0xBF])) => ("", 3),
                _ => {
                    i += 1;
                    continue;
                }
            };
            f.write_str(&s[run..i])?;
            f.write_str(rep)?;
            i += len;
            run = i;
        }
        f.write_str(&s[run..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_go_in_together_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let before = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
        for name in ["mentions.jsonl", "run.json"] {
            std::fs::write(dir.path().join(name), "the run before\n").unwrap();
        }
        let write = |name: &str| settle_file(dir.path(), name, |w| w.write_all(b"this run\n")).unwrap();
        // One output fails (a full disk at graph.graphml): the two written are not renamed.
        let failed = Settling(Some(std::thread::spawn(|| Err(Error::io("graph.graphml", std::io::Error::from_raw_os_error(28))))));
        let err = settle_all([write("mentions.jsonl"), failed, write("run.json")]).unwrap_err();
        assert!(err.to_string().starts_with("graph.graphml: No space left on device"), "{err}");
        assert_eq!((before("mentions.jsonl"), before("run.json")), ("the run before\n".into(), "the run before\n".into()));
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left.len(), 2, "temporary files left: {left:?}");
        // All written: all in place, and the files they replaced, linked aside while renaming,
        // are gone.
        let done = settle_all([write("mentions.jsonl"), write("run.json")]).unwrap();
        assert_eq!(done.len(), 2);
        assert_eq!((before("mentions.jsonl"), before("run.json")), ("this run\n".into(), "this run\n".into()));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
        // A file dropped unsettled (its run returned early) is removed, not put in place.
        drop(write("run.json"));
        assert_eq!(before("run.json"), "this run\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn escaped_replaces_xml_specials_and_drops_forbidden_characters() {
        let cases = [
            ("中美关系", "中美关系"),
            ("A&B <C> \"D\" 'E'", "A&amp;B &lt;C&gt; &quot;D&quot; &apos;E&apos;"),
            ("一\t二\n三\r四", "一 二 三 四"),
            ("\u{1}x\u{1f}", "x"),
            ("前\u{fffe}中\u{ffff}后\u{fffd}", "前中后\u{fffd}"),
            ("", ""),
        ];
        for (text, want) in cases {
            assert_eq!(Escaped(text).to_string(), want, "{text:?}");
        }
    }
}
