import Foundation

public enum SheetError: Error, Equatable, Sendable, LocalizedError {
    case qrEncodingFailed(reason: String)
    case cairo(path: String, status: String)
    case cannotWrite(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case let .qrEncodingFailed(reason): "could not encode the QR code: \(reason)"
        case let .cairo(path, status): "could not draw \(path): cairo reports \(status)"
        case let .cannotWrite(path, reason): "cannot write \(path): \(reason)"
        }
    }
}
