import CQRencode
import Foundation

/// A QR code as a square of modules, with the 4-module quiet zone the standard asks for.
public struct QRCode: Sendable {
    public static let quietZone = 4

    /// Modules per side of the symbol, without the quiet zone.
    public let width: Int
    /// Row by row, 1 for a dark module.
    public let modules: [UInt8]

    /// Modules per side including the quiet zone on both sides.
    public var sizeWithQuietZone: Int { width + 2 * Self.quietZone }

    /// Encodes `text` as bytes at error-correction level M (15 % of the symbol can be
    /// damaged), the smallest version that holds it.
    public init(encoding text: String) throws(SheetError) {
        guard let code = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M) else {
            throw .qrEncodingFailed(reason: String(cString: strerror(errno)))
        }
        defer { QRcode_free(code) }
        width = Int(code.pointee.width)
        modules = (0..<width * width).map { code.pointee.data[$0] & 1 }
    }

    public func isDark(row: Int, column: Int) -> Bool { modules[row * width + column] == 1 }
}
