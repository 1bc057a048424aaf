"""The page's own CSS: the frame's, and presenter mode's for a 1280 × 720 projector."""

FRAME_CSS = (
    # a table's header and cells wrap between words only: in zh at spaces and where the
    # catalogue marks words (U+200B), not inside one ("最终损/失", "Nesterov 动/量")
    ".stMarkdown th, .stMarkdown td {word-break: keep-all;}"
    "[data-testid=stSidebar] .katex-display > .katex {font-size: 1em !important;}"
    "[data-testid=stSidebar] .katex-display {overflow-x: auto; overflow-y: hidden;}"
)

PRESENTER_CSS = (
    "html, .stMarkdown p, .stMarkdown li, label p {font-size: 1.25rem !important;}"
    "[data-testid=stMain] input, [data-baseweb=select] div {font-size: 1.15rem !important;}"
    "h1 {font-size: 2.6rem !important;} h2 {font-size: 2rem !important;}"
    # labels wrap onto a second line rather than end in "…"; words are never cut
    ".stMarkdownEllipsis, label p {white-space: normal !important; overflow: visible !important;"
    " text-overflow: clip !important;}"
    "label p, .stMarkdown p {word-break: normal !important; overflow-wrap: normal !important;}"
    # formulas at the size of the text around them (1.25rem; KaTeX's own 1.21em of a 1rem
    # block was smaller than the enlarged text), scrolling if too wide
    ".katex-display > .katex {font-size: 1.25rem !important;}"
    ".katex-display {overflow-x: auto; overflow-y: hidden;}"
    # a segmented control's options go on to a second row rather than out of its column
    # ("Line from r…" in the landscapes' slice)
    "[data-testid=stButtonGroup] > div {flex-wrap: wrap !important; row-gap: 0.3rem;}"
    # table headers wrap; a table still too wide scrolls within its column
    ".stMarkdown table {display: block; overflow-x: auto;}"
    ".stMarkdown th {white-space: normal !important; min-width: 4.5em;}"
    "[data-testid=stMainBlockContainer] {padding-top: 3.5rem !important;}"  # (under ››)
    # the page under Streamlit's header bar shows through it: the bar hid the top 60 px of
    # a 720-px projector (Train, over the charts it draws); its buttons stay clickable
    "[data-testid=stHeader] {background: transparent !important; pointer-events: none;}"
    "[data-testid=stHeader] * {pointer-events: auto;}"
    # what the class reads besides the text: buttons, progress lines, captions, expanders
    "[data-testid=stMain] button p, [data-testid=stExpander] summary p"
    " {font-size: 1.2rem !important;}"
    # an alert's text as large as the text around it (a success box's "the same coefficients"
    # read smaller than the sentence above it); not one in a row of controls (the line beside
    # Train: larger, it pushed the charts under it past 720 px)
    "[data-testid=stMain] [data-testid=stAlert]:not([data-testid=stHorizontalBlock] *) p"
    " {font-size: 1.25rem !important;}"
    # a home card's link, its title: larger than the text under it (16 px over 24 px text, a
    # fresh-eyes teacher)
    "[data-testid=stMain] [data-testid=stPageLink] p {font-size: 1.6rem !important;"
    " font-weight: 600;}"
    "[data-testid=stMain] [data-testid=stPageLink] [data-testid=stIconMaterial]"
    " {font-size: 1.6rem !important;}"
    "[data-testid=stMain] [data-testid=stProgress] p, [data-testid=stMain] [data-testid=stCaption"
    "Container], [data-testid=stMain] [data-testid=stCaptionContainer] p"
    " {font-size: 1.1rem !important;}"
)
