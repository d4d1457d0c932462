import CCairo

/// Bytes cairo writes to a stream (a PDF, a PNG), collected in memory. Handed to cairo
/// unretained: its owner keeps it alive until cairo is done writing.
final class CairoOutput {
    var bytes: [UInt8] = []

    var closure: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    static let append: cairo_write_func_t = { closure, data, length in
        guard let closure, let data else { return CAIRO_STATUS_WRITE_ERROR }
        Unmanaged<CairoOutput>.fromOpaque(closure).takeUnretainedValue().bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
        return CAIRO_STATUS_SUCCESS
    }
}
