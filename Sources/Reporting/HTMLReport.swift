import Foundation
import MFAStore

/// One self-contained page for people: headline figures, charts as inline SVG, and the
/// action lists. No scripts, no fetches; prints cleanly.
struct HTMLReport {
    let scope: ReportScope
    let tables: [Feed: FeedTable]
    /// Rows shown per table or chart; the CSV and JSON feeds have all of them.
    static let rowLimit = 40

    func render() -> String {
        var body = ""
        body += "<header><h1>MFA adoption report</h1><p>As of <strong>\(escape(Timestamp.isoDateTime(scope.asOf)))</strong>; period \(escape(Timestamp.isoDate(scope.since))) to \(escape(Timestamp.isoDate(scope.asOf)))"
        if let organisation = scope.organisation { body += "; organisation \(escape(organisation))" }
        if let environment = scope.environment { body += "; environment \(escape(environment.displayName))" }
        body += ".</p></header>\n"
        body += headlines()
        body += section("Adoption by organisation", adoptionChart())
        body += section("Adoption over time", historyChart())
        body += section("Recovery codes", recoveryTable())
        body += section("Sign-ins by app", appChart())
        body += section("Pending for more than \(scope.pendingDays) days: who to chase", actionTable(.pendingTooLong))
        body += section("No recovery codes left: who needs a reset", actionTable(.noRecoveryCodesLeft))
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>MFA adoption report \(escape(Timestamp.isoDate(scope.asOf)))</title>
            <style>
            body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 2em auto; max-width: 1100px; color: #1d1d1d; padding: 0 1em; }
            h1 { color: #005eb8; margin-bottom: 0.2em; } h2 { border-bottom: 2px solid #005eb8; padding-bottom: 0.2em; margin-top: 2em; }
            .figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 0.8em; }
            .figure { border: 1px solid #c8c8c8; border-radius: 6px; padding: 0.7em; }
            .figure .value { font-size: 1.8em; font-weight: bold; color: #005eb8; } .figure .label { font-size: 0.85em; color: #555; }
            table { border-collapse: collapse; width: 100%; font-size: 0.9em; } th, td { border-bottom: 1px solid #ddd; padding: 0.3em 0.5em; text-align: left; }
            td.number, th.number { text-align: right; } td.time { white-space: nowrap; } .note { color: #555; font-size: 0.85em; }
            svg text { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 11px; fill: #1d1d1d; }
            @media print { body { margin: 0; max-width: none; } section { page-break-inside: avoid; } .figure { border-color: #888; } }
            </style>
            </head>
            <body>
            \(body)
            </body>
            </html>

            """
    }

    // MARK: Pieces

    private func section(_ title: String, _ content: String) -> String {
        "<section>\n<h2>\(escape(title))</h2>\n\(content)\n</section>\n"
    }

    private func integer(_ table: Feed, _ column: String) -> Int {
        guard let table = tables[table] else { return 0 }
        return table.rows.reduce(0) { total, row in
            if case .integer(let value) = table.cell(row, column) { return total + value }
            return total
        }
    }

    private func headlines() -> String {
        let needing = integer(.adoption, "needing_mfa")
        let active = integer(.adoption, "active")
        let recovery = integer(.recoveryCodes, "codes_redeemed_in_period")
        let signIns = integer(.recoveryCodes, "sign_ins_in_period")
        let figures: [(String, String)] = [
            (needing == 0 ? "–" : FeedTable.decimalText(Double(active) * 100 / Double(needing)) + "%", "adoption (active ÷ needing MFA)"),
            ("\(needing)", "logins needing MFA"),
            ("\(active)", "active enrolments"),
            ("\(integer(.adoption, "pending"))", "pending enrolments"),
            ("\(integer(.adoption, "pending_over_days"))", "pending more than \(scope.pendingDays) days"),
            ("\(integer(.adoption, "needing_mfa_without_enrolment"))", "needing MFA, not enrolled"),
            ("\(integer(.adoption, "locked"))", "locked enrolments"),
            ("\(integer(.adoption, "activated_in_period"))", "activated in the period"),
            (signIns == 0 ? "–" : FeedTable.decimalText(Double(recovery) * 100 / Double(signIns)) + "%", "sign-ins using a recovery code"),
            ("\(integer(.adoption, "lockouts_in_period"))", "lockouts in the period"),
        ]
        return "<section class=\"figures\">\n" + figures.map {
            "<div class=\"figure\"><div class=\"value\">\(escape($0.0))</div><div class=\"label\">\(escape($0.1))</div></div>"
        }.joined(separator: "\n") + "\n</section>\n"
    }

    /// Horizontal bars of adoption % per organisation and environment, largest first.
    private func adoptionChart() -> String {
        guard let table = tables[.adoption], !table.rows.isEmpty else { return "<p class=\"note\">No logins in scope.</p>" }
        let rows = table.rows.map { row -> (label: String, percent: Double?, needing: Int) in
            var label = ""
            if case .text(let organisation) = table.cell(row, "organisation"), case .text(let environment) = table.cell(row, "environment") {
                label = "\(organisation) \(environment)"
            }
            var percent: Double?
            if case .decimal(let value) = table.cell(row, "adoption_percent") { percent = value }
            var needing = 0
            if case .integer(let value) = table.cell(row, "needing_mfa") { needing = value }
            return (label, percent, needing)
        }.filter { $0.needing > 0 }.sorted { ($1.needing, $0.label) < ($0.needing, $1.label) }
        let shown = rows.prefix(Self.rowLimit)
        let barHeight = 18.0, labelWidth = 170.0, width = 900.0
        let height = Double(shown.count) * (barHeight + 6) + 30
        var svg = "<svg role=\"img\" aria-label=\"Adoption by organisation\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"100%\">\n"
        for tick in stride(from: 0, through: 100, by: 25) {
            let x = labelWidth + Double(tick) / 100 * (width - labelWidth - 60)
            svg += "<line x1=\"\(x)\" y1=\"0\" x2=\"\(x)\" y2=\"\(height - 20)\" stroke=\"#ddd\"/><text x=\"\(x)\" y=\"\(height - 6)\" text-anchor=\"middle\">\(tick)%</text>\n"
        }
        for (index, row) in shown.enumerated() {
            let y = Double(index) * (barHeight + 6) + 4
            let fraction = (row.percent ?? 0) / 100
            let barWidth = fraction * (width - labelWidth - 60)
            svg += "<text x=\"\(labelWidth - 6)\" y=\"\(y + 13)\" text-anchor=\"end\">\(escape(row.label))</text>"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y)\" width=\"\(String(format: "%.1f", barWidth))\" height=\"\(barHeight)\" fill=\"\(row.label.hasSuffix("Sandpit") ? "#c8102e" : "#005eb8")\"/>"
            svg += "<text x=\"\(labelWidth + barWidth + 4)\" y=\"\(y + 13)\">\(escape(row.percent.map { FeedTable.decimalText($0) + "%" } ?? "–")) of \(row.needing)</text>\n"
        }
        svg += "</svg>"
        let note = rows.count > shown.count ? "<p class=\"note\">The \(shown.count) organisations with most logins needing MFA, of \(rows.count); all are in adoption.csv.</p>" : ""
        return svg + "\n<p class=\"note\">Blue: Live; red: Sandpit.</p>" + note
    }

    /// Adoption % per day, one line per environment, across the organisations in scope.
    private func historyChart() -> String {
        guard let table = tables[.history], !table.rows.isEmpty else { return "<p class=\"note\">No history in the period.</p>" }
        var byDay: [String: [Int64: (needing: Int, active: Int)]] = [:]
        for row in table.rows {
            guard case .time(let day) = table.cell(row, "date"), case .text(let environment) = table.cell(row, "environment"),
                case .integer(let needing) = table.cell(row, "needing_mfa"), case .integer(let active) = table.cell(row, "active")
            else { continue }
            let current = byDay[environment, default: [:]][day, default: (0, 0)]
            byDay[environment, default: [:]][day] = (current.needing + needing, current.active + active)
        }
        let days = Set(byDay.values.flatMap(\.keys)).sorted()
        guard let first = days.first, let last = days.last else { return "" }
        let width = 900.0, height = 260.0, left = 50.0, bottom = 30.0
        func x(_ day: Int64) -> Double { left + (last == first ? 0 : Double(day - first) / Double(last - first)) * (width - left - 20) }
        func y(_ percent: Double) -> Double { (height - bottom) - percent / 100 * (height - bottom - 10) }
        var svg = "<svg role=\"img\" aria-label=\"Adoption over time\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"100%\">\n"
        for tick in stride(from: 0, through: 100, by: 25) {
            svg += "<line x1=\"\(left)\" y1=\"\(y(Double(tick)))\" x2=\"\(width - 20)\" y2=\"\(y(Double(tick)))\" stroke=\"#ddd\"/><text x=\"\(left - 6)\" y=\"\(y(Double(tick)) + 4)\" text-anchor=\"end\">\(tick)%</text>\n"
        }
        svg += "<text x=\"\(left)\" y=\"\(height - 8)\">\(Timestamp.isoDate(first))</text><text x=\"\(width - 20)\" y=\"\(height - 8)\" text-anchor=\"end\">\(Timestamp.isoDate(last))</text>\n"
        for environment in byDay.keys.sorted() {
            let points = days.compactMap { day -> String? in
                guard let value = byDay[environment]?[day], value.needing > 0 else { return nil }
                return String(format: "%.1f,%.1f", x(day), y(Double(value.active) * 100 / Double(value.needing)))
            }
            let colour = environment == "Sandpit" ? "#c8102e" : "#005eb8"
            svg += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2.5\" points=\"\(points.joined(separator: " "))\"/>\n"
            if let lastPoint = points.last?.split(separator: ",") {
                svg += "<text x=\"\(lastPoint[0])\" y=\"\(Double(lastPoint[1])! - 6)\" text-anchor=\"end\" fill=\"\(colour)\">\(escape(environment))</text>\n"
            }
        }
        return svg + "</svg>"
    }

    private func recoveryTable() -> String {
        guard let table = tables[.recoveryCodes], !table.rows.isEmpty else { return "<p class=\"note\">No enrolments in scope.</p>" }
        return htmlTable(table, limit: Self.rowLimit)
    }

    /// Successful sign-ins per app in the period, by the app, and by recovery code.
    private func appChart() -> String {
        guard let table = tables[.usage], !table.rows.isEmpty else { return "<p class=\"note\">No sign-ins in the period.</p>" }
        var totals: [String: (app: Int, recovery: Int, failed: Int)] = [:]
        for row in table.rows {
            guard case .text(let app) = table.cell(row, "app"), case .integer(let succeeded) = table.cell(row, "verifications_succeeded"),
                case .integer(let failed) = table.cell(row, "verifications_failed"), case .integer(let recovery) = table.cell(row, "recovery_code_sign_ins")
            else { continue }
            let current = totals[app, default: (0, 0, 0)]
            totals[app] = (current.app + succeeded, current.recovery + recovery, current.failed + failed)
        }
        let apps = totals.keys.sorted { (totals[$1]!.app + totals[$1]!.recovery, $0) < (totals[$0]!.app + totals[$0]!.recovery, $1) }
        let maximum = max(1, apps.map { totals[$0]!.app + totals[$0]!.recovery }.max() ?? 1)
        let barHeight = 18.0, labelWidth = 170.0, width = 900.0
        let height = Double(apps.count) * (barHeight + 6) + 10
        var svg = "<svg role=\"img\" aria-label=\"Sign-ins by app\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"100%\">\n"
        for (index, app) in apps.enumerated() {
            let total = totals[app]!
            let y = Double(index) * (barHeight + 6) + 4
            let scale = (width - labelWidth - 220) / Double(maximum)
            svg += "<text x=\"\(labelWidth - 6)\" y=\"\(y + 13)\" text-anchor=\"end\">\(escape(app))</text>"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y)\" width=\"\(String(format: "%.1f", Double(total.app) * scale))\" height=\"\(barHeight)\" fill=\"#005eb8\"/>"
            svg += "<rect x=\"\(labelWidth + Double(total.app) * scale)\" y=\"\(y)\" width=\"\(String(format: "%.1f", Double(total.recovery) * scale))\" height=\"\(barHeight)\" fill=\"#ffb81c\"/>"
            svg += "<text x=\"\(labelWidth + Double(total.app + total.recovery) * scale + 4)\" y=\"\(y + 13)\">\(total.app) by app, \(total.recovery) by recovery code, \(total.failed) failed</text>\n"
        }
        return svg + "</svg>\n<p class=\"note\">Blue: code from the app; yellow: recovery code.</p>"
    }

    private func actionTable(_ feed: Feed) -> String {
        guard let table = tables[feed], !table.rows.isEmpty else { return "<p class=\"note\">Nobody.</p>" }
        return htmlTable(table, limit: Self.rowLimit)
    }

    private func htmlTable(_ table: FeedTable, limit: Int) -> String {
        var html = "<table>\n<thead><tr>"
        for column in table.columns {
            let numeric = column.kind == .integer || column.kind == .decimal
            html += "<th\(numeric ? " class=\"number\"" : "")>\(escape(column.name.replacingOccurrences(of: "_", with: " ")))</th>"
        }
        html += "</tr></thead>\n<tbody>\n"
        for row in table.rows.prefix(limit) {
            html += "<tr>"
            for (cell, column) in zip(row, table.columns) {
                let style: String =
                    switch column.kind {
                    case .integer, .decimal: " class=\"number\""
                    case .date, .dateTime: " class=\"time\""
                    case .text: ""
                    }
                html += "<td\(style)>\(escape(table.text(cell, column) ?? "–"))</td>"
            }
            html += "</tr>\n"
        }
        html += "</tbody>\n</table>"
        if table.rows.count > limit {
            html += "\n<p class=\"note\">The first \(limit) of \(table.rows.count) rows; all are in \(table.feed.rawValue).csv.</p>"
        }
        return html
    }

    private func escape(_ text: String) -> String {
        var output = ""
        for character in text {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            default: output.append(character)
            }
        }
        return output
    }
}
