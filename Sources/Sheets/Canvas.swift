import CCairo
import Foundation

/// The drawing operations a sheet needs, over a cairo context it does not own.
public struct Canvas {
    let context: OpaquePointer

    /// Three faces only: each one used is embedded (as a subset) in every PDF, and
    /// embedding is most of the cost of a one-page file.
    public enum Font: Sendable {
        case regular, bold, monospace

        var family: String {
            switch self {
            case .regular, .bold: "DejaVu Sans"
            case .monospace: "DejaVu Sans Mono"
            }
        }

        var weight: cairo_font_weight_t { self == .bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL }

        /// Font faces are made once per process: looking a face up through fontconfig for
        /// every string was a good part of drawing a page.
        nonisolated(unsafe) static let faces: [Font: OpaquePointer] = Dictionary(
            uniqueKeysWithValues: [Font.regular, .bold, .monospace].map { font in
                (font, cairo_toy_font_face_create(font.family, CAIRO_FONT_SLANT_NORMAL, font.weight)!)
            })
    }

    public struct Colour: Sendable {
        public var red, green, blue: Double
        public static let black = Colour(red: 0, green: 0, blue: 0)
        public static let white = Colour(red: 1, green: 1, blue: 1)
        public static let grey = Colour(red: 0.35, green: 0.35, blue: 0.35)
        public static let lightGrey = Colour(red: 0.9, green: 0.9, blue: 0.9)
        public static let warning = Colour(red: 0.78, green: 0.1, blue: 0.1)
        public static let watermark = Colour(red: 0.98, green: 0.86, blue: 0.86)
        public static let live = Colour(red: 0.0, green: 0.37, blue: 0.72)
    }

    public func setColour(_ colour: Colour) {
        cairo_set_source_rgb(context, colour.red, colour.green, colour.blue)
    }

    public func fillRectangle(x: Double, y: Double, width: Double, height: Double, colour: Colour) {
        setColour(colour)
        cairo_rectangle(context, x, y, width, height)
        cairo_fill(context)
    }

    public func strokeRectangle(x: Double, y: Double, width: Double, height: Double, colour: Colour, lineWidth: Double = 0.8) {
        setColour(colour)
        cairo_set_line_width(context, lineWidth)
        cairo_rectangle(context, x, y, width, height)
        cairo_stroke(context)
    }

    /// Draws `text` with its baseline at `y`.
    public func text(_ text: String, x: Double, y: Double, size: Double, font: Font = .regular, colour: Colour = .black) {
        select(font, size: size)
        setColour(colour)
        cairo_move_to(context, x, y)
        cairo_show_text(context, text)
    }

    public func width(of text: String, size: Double, font: Font = .regular) -> Double {
        select(font, size: size)
        var extents = cairo_text_extents_t()
        cairo_text_extents(context, text, &extents)
        return extents.x_advance
    }

    /// Draws `text` centred on `centreX`.
    public func centredText(_ text: String, centreX: Double, y: Double, size: Double, font: Font = .regular, colour: Colour = .black) {
        let width = width(of: text, size: size, font: font)
        self.text(text, x: centreX - width / 2, y: y, size: size, font: font, colour: colour)
    }

    /// Draws `text` shrunk, if need be, to fit `maxWidth`.
    public func fittedText(_ text: String, x: Double, y: Double, size: Double, maxWidth: Double, font: Font = .regular, colour: Colour = .black) {
        let natural = width(of: text, size: size, font: font)
        // In quarter points, so that a run of sheets uses few sizes (each is a font kept for good).
        let fitted = natural > maxWidth ? (size * maxWidth / natural * 4).rounded(.down) / 4 : size
        self.text(text, x: x, y: y, size: fitted, font: font, colour: colour)
    }

    /// Draws `text` rotated by `angle` radians about (`x`, `y`), centred there.
    public func rotatedText(_ text: String, x: Double, y: Double, angle: Double, size: Double, font: Font, colour: Colour) {
        cairo_save(context)
        cairo_translate(context, x, y)
        cairo_rotate(context, angle)
        centredText(text, centreX: 0, y: size / 3, size: size, font: font, colour: colour)
        cairo_restore(context)
    }

    /// Draws a QR code, quiet zone included, as a square of side `side` points.
    ///
    /// The modules go in as a one-pixel-per-module alpha mask scaled with nearest-
    /// neighbour filtering: sharp edges, and a few hundred bytes in the PDF instead of a
    /// rectangle (with printed coordinates) per module.
    public func qrCode(_ code: QRCode, x: Double, y: Double, side: Double) {
        let size = Int32(code.sizeWithQuietZone)
        guard let image = cairo_image_surface_create(CAIRO_FORMAT_A8, size, size) else { return }
        defer { cairo_surface_destroy(image) }
        cairo_surface_flush(image)
        let stride = Int(cairo_format_stride_for_width(CAIRO_FORMAT_A8, size))
        guard let data = cairo_image_surface_get_data(image) else { return }
        for row in 0..<Int(size) {
            for column in 0..<Int(size) {
                let moduleRow = row - QRCode.quietZone
                let moduleColumn = column - QRCode.quietZone
                let dark = moduleRow >= 0 && moduleRow < code.width && moduleColumn >= 0 && moduleColumn < code.width
                    && code.isDark(row: moduleRow, column: moduleColumn)
                data[row * stride + column] = dark ? 255 : 0
            }
        }
        cairo_surface_mark_dirty(image)
        fillRectangle(x: x, y: y, width: side, height: side, colour: .white)
        cairo_save(context)
        cairo_translate(context, x, y)
        let scale = side / Double(size)
        cairo_scale(context, scale, scale)
        guard let pattern = cairo_pattern_create_for_surface(image) else {
            cairo_restore(context)
            return
        }
        cairo_pattern_set_filter(pattern, CAIRO_FILTER_NEAREST)
        setColour(.black)
        cairo_mask(context, pattern)
        cairo_pattern_destroy(pattern)
        cairo_restore(context)
    }

    private func select(_ font: Font, size: Double) {
        cairo_set_font_face(context, Font.faces[font])
        cairo_set_font_size(context, size)
        ScaledFonts.keep(cairo_get_scaled_font(context))
    }
}

/// Every scaled font the sheets draw with, referenced for the life of the process.
///
/// cairo 1.16 shares scaled fonts between threads through a global map and aborts
/// (`cairo_scaled_font_destroy: Assertion '! scaled_font->cache_frozen'`) when one
/// thread drops the last reference to a font whose glyph cache another thread's PDF
/// surface has frozen while embedding it (once in three runs of 100,000 sheets on two
/// cores). A font that is never released cannot be dropped.
enum ScaledFonts {
    nonisolated(unsafe) private static var kept: Set<OpaquePointer> = []
    private static let lock = NSLock()

    static func keep(_ font: OpaquePointer?) {
        guard let font else { return }
        lock.withLock {
            if kept.insert(font).inserted { cairo_scaled_font_reference(font) }
        }
    }
}
