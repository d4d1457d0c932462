import CCairo
import Foundation

/// The bare QR code as an image, for channels other than paper.
public enum QRImageFormat: String, CaseIterable, Sendable {
    case png, svg

    /// The image file's bytes.
    public func encode(_ code: QRCode) throws(SheetError) -> Data {
        switch self {
        case .png: try Self.png(code)
        case .svg: Data(Self.svg(code).utf8)
        }
    }

    static let pixelsPerModule = 8

    private static func png(_ code: QRCode) throws(SheetError) -> Data {
        let side = Int32(code.sizeWithQuietZone * pixelsPerModule)
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, side, side) else {
            throw .cairo(drawing: "the QR image", status: "no image surface")
        }
        defer { cairo_surface_destroy(surface) }
        guard let context = cairo_create(surface) else { throw .cairo(drawing: "the QR image", status: "no context") }
        defer { cairo_destroy(context) }
        Canvas(context: context).qrCode(code, x: 0, y: 0, side: Double(side))
        cairo_surface_flush(surface)
        let output = CairoOutput()
        let status = cairo_surface_write_to_png_stream(surface, CairoOutput.append, output.closure)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw .cairo(drawing: "the QR image", status: String(cString: cairo_status_to_string(status)))
        }
        return Data(output.bytes)
    }

    /// One path of unit squares on a white square, scaled by the viewBox.
    static func svg(_ code: QRCode) -> String {
        let size = code.sizeWithQuietZone
        var path = ""
        for row in 0..<code.width {
            for column in 0..<code.width where code.isDark(row: row, column: column) {
                path += "M\(column + QRCode.quietZone) \(row + QRCode.quietZone)h1v1h-1z"
            }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(size) \(size)" width="\(size * pixelsPerModule)" height="\(size * pixelsPerModule)" shape-rendering="crispEdges">
            <rect width="\(size)" height="\(size)" fill="#fff"/>
            <path d="\(path)" fill="#000"/>
            </svg>

            """
    }
}
