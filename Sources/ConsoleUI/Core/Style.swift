/// What a cell means, not what colour it is: a theme maps each role to colours (btop's semantic keys).
public enum ThemeRole: String, CaseIterable, Sendable, Hashable {
    case text, muted, border, title, selected, approve, reject, abstain, gaugeOld, gaugeNew
    case warn, error, header, accent, focus
}

/// How a cell is drawn: a foreground role, an optional background role, and attributes.
public struct Style: Hashable, Sendable {
    public var fg: ThemeRole
    public var bg: ThemeRole?
    public var bold: Bool
    public var reverse: Bool

    public init(_ fg: ThemeRole = .text, bg: ThemeRole? = nil, bold: Bool = false, reverse: Bool = false) {
        self.fg = fg
        self.bg = bg
        self.bold = bold
        self.reverse = reverse
    }

    public static let plain = Style()
}

/// One character cell of the screen. A wide character (中, 👍) takes its cell and the next, which is
/// marked `continuation` and drawn by the cell before it.
public struct Cell: Hashable, Sendable {
    public var char: Character
    public var style: Style
    public var continuation: Bool

    public init(_ char: Character = " ", _ style: Style = .plain, continuation: Bool = false) {
        self.char = char
        self.style = style
        self.continuation = continuation
    }

    public static let blank = Cell()
}
