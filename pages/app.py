"""Entry point of the dashboard: `playground run` (or `streamlit run pages/app.py`) starts here.

It lives inside pages/ on purpose: an entrypoint beside a folder named `pages` would put
Streamlit in its legacy multipage mode.

Streamlit runs this file as ``__main__`` at every rerun. A worker process that multiprocessing
starts while a rerun has set ``__main__`` imports it as ``__mp_main__`` instead, and must do
nothing: no streamlit, no pages (that cost seconds per worker and printed dozens of Streamlit
"bare mode" warnings at every server start). So everything is in router.py, called from here.
"""

if __name__ == "__main__":
    import router

    router.main()
