//! Fuzz target: arbitrary bytes as a corpus file of each kind `extract` reads — text, JSON
//! Lines (or a JSON array of records), each plain or gzipped — through the reader: decoding,
//! mending, transcoding, record parsing. Must never panic, and every document it gives must
//! map each offset of its text onto the file's bytes, in order.
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&kind, bytes)) = data.split_first() else { return };
    let name = ["f.txt", "f.jsonl", "f.json", "f.txt.gz", "f.jsonl.gz"][kind as usize % 5];
    // The text's own bytes, where known: offsets must stay within them. (Gzip is told by its
    // bytes, so an f.txt that starts with gzip's magic is unzipped.)
    let plain = match name {
        "f.txt" if !bytes.starts_with(&[0x1F, 0x8B]) => Some(bytes.len()),
        "f.txt.gz" if kind & 0x80 != 0 => Some(bytes.len()),
        _ => None,
    };
    let bytes = if name.ends_with(".gz") && kind & 0x80 != 0 {
        // Well-formed gzip around the bytes; otherwise the bytes themselves as a .gz file.
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    } else {
        bytes.to_vec()
    };
    let dir = std::env::temp_dir().join(format!("diplograph-fuzz-read-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, &bytes).unwrap();
    for doc in diplograph::read::corpus(&[path.clone()]).flatten() {
        let map: Vec<usize> = (0..=doc.text.len()).filter(|&i| doc.text.is_char_boundary(i)).map(|i| doc.file_offset(i)).collect();
        assert!(map.windows(2).all(|w| w[0] <= w[1]), "offsets out of order in {name}");
        if let Some(len) = plain {
            assert!(map.last().is_some_and(|&end| end <= len), "offsets beyond the text's bytes in {name}");
        }
    }
    let _ = std::fs::remove_file(&path);
});
