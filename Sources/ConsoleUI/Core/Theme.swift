import Foundation
import Yams

/// A colour as a theme names it: the terminal's default, one of the 16 ANSI colours, an xterm-256
/// index, or an RGB value that the backend maps to the nearest colour the terminal has.
public enum ThemeColor: Hashable, Sendable {
    case terminalDefault
    case ansi(Int)
    case index(Int)
    case rgb(Int, Int, Int)

    static let names = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    public init?(parsing text: String) {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if t == "default" { self = .terminalDefault; return }
        if let i = ThemeColor.names.firstIndex(of: t) { self = .ansi(i); return }
        if t.hasPrefix("bright-"), let i = ThemeColor.names.firstIndex(of: String(t.dropFirst(7))) { self = .ansi(i + 8); return }
        if t.hasPrefix("#"), t.count == 7, let v = Int(t.dropFirst(), radix: 16) {
            self = .rgb(v >> 16 & 0xff, v >> 8 & 0xff, v & 0xff)
            return
        }
        if let n = Int(t), (0...255).contains(n) { self = .index(n); return }
        return nil
    }
}

/// What a role looks like: a foreground, an optional background, bold.
public struct RoleStyle: Hashable, Sendable {
    public var fg: ThemeColor
    public var bg: ThemeColor
    public var bold: Bool
}

/// A theme: every role mapped to colours. Read from a YAML file of semantic roles:
///
/// ```yaml
/// name: default
/// roles:
///   text: "#d0d0d0"              # foreground
///   selected: "white on #005f87" # foreground on background
///   title: "bright-cyan bold"
/// ```
public struct Theme: Hashable, Sendable {
    public var name: String
    public var roles: [ThemeRole: RoleStyle]
    /// Monochrome themes draw no colours at all; meaning is carried by symbols and attributes.
    public var monochrome: Bool

    public func style(_ role: ThemeRole) -> RoleStyle { roles[role] ?? Theme.fallback.roles[role]! }

    /// Used when no theme file can be read, so the console always has colours to draw with.
    public static let fallback = Theme(name: "default", roles: [
        .text: RoleStyle(fg: .terminalDefault, bg: .terminalDefault, bold: false),
        .muted: RoleStyle(fg: .ansi(8), bg: .terminalDefault, bold: false),
        .border: RoleStyle(fg: .ansi(4), bg: .terminalDefault, bold: false),
        .title: RoleStyle(fg: .ansi(14), bg: .terminalDefault, bold: true),
        .selected: RoleStyle(fg: .ansi(15), bg: .ansi(4), bold: false),
        .approve: RoleStyle(fg: .ansi(2), bg: .terminalDefault, bold: false),
        .reject: RoleStyle(fg: .ansi(1), bg: .terminalDefault, bold: false),
        .abstain: RoleStyle(fg: .ansi(3), bg: .terminalDefault, bold: false),
        .gaugeOld: RoleStyle(fg: .ansi(8), bg: .terminalDefault, bold: false),
        .gaugeNew: RoleStyle(fg: .ansi(6), bg: .terminalDefault, bold: false),
        .warn: RoleStyle(fg: .ansi(11), bg: .terminalDefault, bold: false),
        .error: RoleStyle(fg: .ansi(9), bg: .terminalDefault, bold: true),
        .header: RoleStyle(fg: .ansi(15), bg: .ansi(4), bold: false),
        .accent: RoleStyle(fg: .ansi(12), bg: .terminalDefault, bold: false),
        .focus: RoleStyle(fg: .ansi(11), bg: .terminalDefault, bold: true),
    ], monochrome: false)

    public static let mono = Theme(name: "mono", roles: Dictionary(uniqueKeysWithValues: ThemeRole.allCases.map {
        ($0, RoleStyle(fg: .terminalDefault, bg: .terminalDefault, bold: [.title, .focus, .error].contains($0)))
    }), monochrome: true)
}

/// Why a theme file could not be used: the file, the line, the key, and what was wrong.
public struct ThemeError: Error, Hashable, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let key: String
    public let problem: String
    public var description: String { "theme \(file):\(line): \(key): \(problem); using the default theme" }
}

public enum ThemeLoader {
    /// Reads a theme file. Every role that the file does not name keeps the default's look.
    public static func load(path: String) throws(ThemeError) -> Theme {
        let file = (path as NSString).lastPathComponent
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ThemeError(file: path, line: 0, key: "-", problem: "cannot read the file")
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { throw ThemeError(file: file, line: 1, key: "-", problem: "the file is empty") }
            root = node
        } catch let e as ThemeError {
            throw e
        } catch let e as YamlError {
            throw ThemeError(file: file, line: Self.line(of: e), key: "-", problem: "not valid YAML (\(e))".replacingOccurrences(of: "\n", with: " "))
        } catch {
            throw ThemeError(file: file, line: 0, key: "-", problem: "not valid YAML")
        }
        guard let top = root.mapping else { throw ThemeError(file: file, line: root.mark?.line ?? 1, key: "-", problem: "expected keys name and roles") }
        var theme = Theme.fallback
        theme.name = ((file as NSString).deletingPathExtension)
        for (k, v) in top {
            let key = k.string ?? "?"
            switch key {
            case "name": theme.name = v.string ?? theme.name
            case "monochrome": theme.monochrome = v.bool ?? false
            case "roles":
                guard let roles = v.mapping else { throw ThemeError(file: file, line: v.mark?.line ?? 0, key: key, problem: "expected a role: colour per line") }
                for (rk, rv) in roles {
                    let name = rk.string ?? "?"
                    let line = rk.mark?.line ?? 0
                    guard let role = ThemeRole(rawValue: name) else {
                        throw ThemeError(file: file, line: line, key: name,
                                         problem: "unknown role; roles are \(ThemeRole.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    guard let spec = rv.string, let style = parse(spec) else {
                        throw ThemeError(file: file, line: line, key: name,
                                         problem: "'\(rv.string ?? "?")' is not a colour; write a name, bright-NAME, #rrggbb or 0-255, optionally 'on BG' and 'bold'")
                    }
                    theme.roles[role] = style
                }
            default:
                throw ThemeError(file: file, line: k.mark?.line ?? 0, key: key, problem: "unknown key; a theme has name, monochrome and roles")
            }
        }
        return theme
    }

    /// `FG [on BG] [bold]`.
    static func parse(_ spec: String) -> RoleStyle? {
        var words = spec.split(separator: " ").map(String.init)
        var bold = false
        if words.last == "bold" { bold = true; words.removeLast() }
        guard let fgText = words.first, let fg = ThemeColor(parsing: fgText) else { return nil }
        var bg = ThemeColor.terminalDefault
        if words.count == 3, words[1] == "on" {
            guard let b = ThemeColor(parsing: words[2]) else { return nil }
            bg = b
        } else if words.count != 1 {
            return nil
        }
        return RoleStyle(fg: fg, bg: bg, bold: bold)
    }

    static func line(of error: YamlError) -> Int {
        switch error {
        case let .scanner(_, _, mark, _), let .parser(_, _, mark, _), let .composer(_, _, mark, _): return mark.line
        default: return 0
        }
    }

    /// Finds a theme by name in `directories`, or takes `nameOrPath` as a path.
    public static func resolve(_ nameOrPath: String, directories: [String]) -> String? {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".yaml") { return nameOrPath }
        for d in directories {
            let p = "\(d)/\(nameOrPath).yaml"
            if FileManager.default.fileExists(atPath: p) { return p }
        }
        return nil
    }

    /// Theme names available in `directories`, sorted, `default` first.
    public static func available(in directories: [String]) -> [String] {
        var names = Set<String>()
        for d in directories {
            for f in (try? FileManager.default.contentsOfDirectory(atPath: d)) ?? [] where f.hasSuffix(".yaml") {
                names.insert(String(f.dropLast(5)))
            }
        }
        return names.sorted { $0 == "default" ? true : $1 == "default" ? false : $0 < $1 }
    }

    /// The theme to draw with, and a line for the status line when it is not the one asked for.
    static func load(_ name: String, directories: [String], monochrome: Bool) -> (Theme, String?) {
        if monochrome { return (Theme.mono, nil) }
        guard let path = resolve(name, directories: directories) else {
            return (Theme.fallback, name == "default" ? nil : "no theme '\(name)' in \(directories.joined(separator: ", ")); using the default theme")
        }
        do {
            return (try load(path: path), nil)
        } catch {
            return (Theme.fallback, error.description)
        }
    }
}
