//! Compresses the web pages' files when the binary is built (gzip and brotli, at the levels the
//! server used to spend at start): a server then starts without compressing half a megabyte of
//! scripts, and keeps no compressor's memory afterwards (issue 27). `src/web` embeds the results
//! and uses one only while the file it was made from is the one it serves.

use std::io::Write;
use std::path::{Path, PathBuf};

fn main() {
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut table = String::from("&[\n");
    for (dir, prefix) in [("src/web/pages", "pages/"), ("src/web/vendor", "vendor/")] {
        println!("cargo:rerun-if-changed={dir}");
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("the web folder is there")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        for file in files {
            let name = file.file_name().and_then(|n| n.to_str()).expect("file names are UTF-8");
            let body = std::fs::read(&file).expect("a web file reads");
            let gz = smaller(&body, gzip(&body));
            let br = smaller(&body, brotli(&body));
            let key = format!("{prefix}{name}");
            table.push_str(&format!(
                "    ({key:?}, include_bytes!({src:?}), {gz}, {br}),\n",
                src = std::fs::canonicalize(&file).expect("a web file has a path"),
                gz = written(&out, &key, "gz", gz),
                br = written(&out, &key, "br", br),
            ));
        }
    }
    table.push(']');
    std::fs::write(out.join("web_compressed.rs"), table).expect("OUT_DIR is writable");
}

fn gzip(body: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(9));
    enc.write_all(body).expect("writes to memory");
    enc.finish().expect("writes to memory")
}

fn brotli(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 9, 22);
        w.write_all(body).expect("writes to memory");
    }
    out
}

/// The coded form, when it saves something worth a header.
fn smaller(body: &[u8], coded: Vec<u8>) -> Option<Vec<u8>> {
    (coded.len() + 64 < body.len()).then_some(coded)
}

/// `Some(include_bytes!(…))` of the coded form written beside the table, or `None`.
fn written(out: &Path, key: &str, ext: &str, coded: Option<Vec<u8>>) -> String {
    match coded {
        Some(bytes) => {
            let path = out.join(format!("{}.{ext}", key.replace('/', "_")));
            std::fs::write(&path, bytes).expect("OUT_DIR is writable");
            format!("Some(include_bytes!({path:?}))")
        }
        None => "None".into(),
    }
}
