import Foundation

public enum SheetError: Error, Equatable, Sendable, LocalizedError {
    case qrEncodingFailed(reason: String)
    case cairo(drawing: String, status: String)
    /// cairo wrote a PDF whose structure the page copier does not know (another cairo version?).
    case unreadableRendering(String)
    case cannotWrite(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case let .qrEncodingFailed(reason): "could not encode the QR code: \(reason)"
        case let .cairo(drawing, status): "could not draw \(drawing): cairo reports \(status)"
        case let .unreadableRendering(reason): "could not copy pages from the PDF cairo drew (\(reason)); is this cairo 1.16 or later?"
        case let .cannotWrite(path, reason): "cannot write \(path): \(reason)"
        }
    }
}
