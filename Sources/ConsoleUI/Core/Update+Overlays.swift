import GovernanceAPI

/// Keys while an overlay is open: it takes them all, and Esc closes it.
func overlayKey(_ s: inout ConsoleState, _ key: Key) -> [EngineCommand] {
    guard let overlay = s.overlay else { return [] }
    if key == .escape { s.overlay = nil; return [] }
    switch overlay {
    case .help:
        s.overlay = nil
    case let .command(text):
        switch key {
        case .enter:
            s.overlay = nil
            let words = CommandLineWords.split(text)
            guard !words.isEmpty else { return [] }
            switch ConsoleCommandLine.effect(words) {
            case let .success(effect):
                s.proposing = words.first == "propose"
                return [effect]
            case let .failure(error):
                return refuse(&s, error.description)
            }
        case .backspace: s.overlay = .command(String(text.dropLast()))
        case let .char(c): s.overlay = .command(text + String(c))
        default: break
        }
    case let .filter(text):
        switch key {
        case .enter: s.overlay = nil
        case .backspace: s.filter = String(text.dropLast()); s.overlay = .filter(s.filter)
        case let .char(c): s.filter = text + String(c); s.overlay = .filter(s.filter)
        default: break
        }
        if let first = s.visibleProposals.first, s.selectedIndex == nil { s.selected = first.id; return [.refresh(selected: first.id)] }
    case let .identities(selected):
        let names = (s.snapshot?.members ?? []).map(\.name)
        switch key {
        case .down, .char("j"): s.overlay = .identities(selected: min(selected + 1, max(0, names.count - 1)))
        case .up, .char("k"): s.overlay = .identities(selected: max(0, selected - 1))
        case .enter:
            s.overlay = nil
            // The switch takes effect now, so the very next key already acts as the new identity.
            if selected < names.count, let member = s.snapshot?.members[selected] {
                return update(&s, .identity(name: member.name, role: member.role))
            }
        default: break
        }
    case var .propose(form):
        switch key {
        case .tab, .down: form.cursor = (form.cursor + 1) % (form.fields.count + 1)
        case .backTab, .up: form.cursor = (form.cursor + form.fields.count) % (form.fields.count + 1)
        case .left where form.cursor == 0, .right where form.cursor == 0:
            let n = ProposeForm.operations.count
            form.operation = (form.operation + (key == .left ? n - 1 : 1)) % n
            form.fields = ProposeForm.fields(for: ProposeForm.operations[form.operation])
        case .backspace where form.cursor > 0:
            form.fields[form.cursor - 1].value = String(form.fields[form.cursor - 1].value.dropLast())
        case let .char(c) where form.cursor > 0:
            form.fields[form.cursor - 1].value.append(c)
        case .enter:
            s.overlay = nil
            do {
                let draft = try form.draft()
                s.proposing = true
                return [.propose(draft)]
            } catch {
                return refuse(&s, error.description)
            }
        default: break
        }
        if s.overlay != nil { s.overlay = .propose(form) }
    }
    return []
}
