import CCairo
import Foundation

/// A PDF being written with cairo: owns the surface and its context, writes to a
/// temporary name, and renames it into place (mode 0600) only once it is complete.
public final class PDFDocument {
    /// A4 in points.
    public static let pageWidth = 595.276
    public static let pageHeight = 841.89

    public let path: String
    private let temporaryPath: String
    private let surface: OpaquePointer
    let context: OpaquePointer
    private var finished = false

    public init(path: String, title: String) throws(SheetError) {
        self.path = path
        temporaryPath = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        // Created 0600 before cairo opens it, so the secret never sits in a readable file.
        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        close(descriptor)
        guard let surface = cairo_pdf_surface_create(temporaryPath, Self.pageWidth, Self.pageHeight) else {
            unlink(temporaryPath)
            throw .cairo(path: path, status: "no surface")
        }
        guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS, let context = cairo_create(surface) else {
            let status = String(cString: cairo_status_to_string(cairo_surface_status(surface)))
            cairo_surface_destroy(surface)
            unlink(temporaryPath)
            throw .cairo(path: path, status: status)
        }
        self.surface = surface
        self.context = context
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "mfa-toolchain")
    }

    deinit {
        cairo_destroy(context)
        cairo_surface_destroy(surface)
        if !finished { unlink(temporaryPath) }
    }

    /// Draws one page with `draw`, then starts the next.
    public func addPage(_ draw: (Canvas) -> Void) {
        cairo_save(context)
        draw(Canvas(context: context))
        cairo_restore(context)
        cairo_show_page(context)
    }

    /// Completes the file and renames it into place.
    public func finish() throws(SheetError) {
        cairo_surface_finish(surface)
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw .cairo(path: path, status: String(cString: cairo_status_to_string(status)))
        }
        guard rename(temporaryPath, path) == 0 else {
            throw .cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
        finished = true
    }
}
