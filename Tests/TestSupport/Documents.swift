import Foundation

/// The QR codes on one page of a PDF, decoded by independent tools: pdftoppm renders
/// the page at 150 dpi, zbarimg reads the image.
public func decodeQRCodes(inPDF path: String, page: Int = 1) throws -> [String] {
    let folder = try TemporaryDirectory("qr")
    let prefix = folder.path("page")
    let render = try runProcess("/usr/bin/pdftoppm", ["-r", "150", "-png", "-f", "\(page)", "-l", "\(page)", "-singlefile", path, prefix])
    guard render.status == 0 else { throw ToolFailure("pdftoppm: \(render.stderr)") }
    return try decodeQRCodes(inImage: prefix + ".png")
}

/// The QR codes in an image file, decoded by zbarimg.
public func decodeQRCodes(inImage path: String) throws -> [String] {
    let decode = try runProcess("/usr/bin/zbarimg", ["--raw", "-q", path])
    return decode.stdout.split(separator: "\n").map(String.init)
}

/// A PDF's text, as pdftotext extracts it (pages separated by form feeds).
public func pdfText(_ path: String) throws -> String {
    let result = try runProcess("/usr/bin/pdftotext", ["-layout", path, "-"])
    guard result.status == 0 else { throw ToolFailure("pdftotext: \(result.stderr)") }
    return result.stdout
}

/// The number of pages of a PDF, from pdfinfo.
public func pdfPageCount(_ path: String) throws -> Int {
    let info = try runProcess("/usr/bin/pdfinfo", [path]).stdout
    let line = info.split(separator: "\n").first { $0.hasPrefix("Pages:") }
    return line.flatMap { Int($0.dropFirst("Pages:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
}

public struct ToolFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
