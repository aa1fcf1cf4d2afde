"""The whole route table on one screen."""

from __future__ import annotations

from aiohttp import web

from mock_server import assets, control
from mock_server.api import families, files, handlers, uploads

__all__ = ["setup_routes"]


def setup_routes(app: web.Application) -> None:
    app.router.add_routes(
        [
            # The real API (api.sunoapi.org), CONTRACT.md §3-§4.
            web.post("/api/v1/generate", handlers.generate),
            web.post("/api/v1/generate/extend", handlers.extend),
            web.post("/api/v1/generate/upload-cover", handlers.upload_cover),
            web.post("/api/v1/generate/upload-extend", handlers.upload_extend),
            web.post("/api/v1/generate/add-instrumental", handlers.add_instrumental),
            web.post("/api/v1/generate/add-vocals", handlers.add_vocals),
            web.post("/api/v1/generate/replace-section", handlers.replace_section),
            web.post("/api/v1/generate/mashup", handlers.mashup),
            web.get("/api/v1/generate/record-info", handlers.record_info),
            web.get("/api/v1/generate/credit", handlers.credit),
            web.post("/api/v1/generate/generate-persona", families.persona),
            web.post("/api/v1/generate/get-timestamped-lyrics", families.timestamped_lyrics),
            web.post("/api/v1/style/generate", families.boost_style),
            web.post("/api/v1/lyrics", families.lyrics),
            web.get("/api/v1/lyrics/record-info", families.job_info("lyrics")),
            web.post("/api/v1/wav/generate", families.wav),
            web.get("/api/v1/wav/record-info", families.job_info("wav")),
            web.post("/api/v1/vocal-removal/generate", families.vocal_removal),
            web.get("/api/v1/vocal-removal/record-info", families.job_info("vocal_removal")),
            web.post("/api/v1/midi/generate", families.midi),
            web.get("/api/v1/midi/record-info", families.job_info("midi")),
            web.post("/api/v1/mp4/generate", families.mp4),
            web.get("/api/v1/mp4/record-info", families.job_info("mp4")),
            web.post("/api/v1/suno/cover/generate", families.cover),
            web.get("/api/v1/suno/cover/record-info", families.job_info("cover")),
            # The File Upload API (a separate host for the real service).
            web.post("/api/file-base64-upload", uploads.base64_upload),
            web.post("/api/file-stream-upload", uploads.stream_upload),
            web.post("/api/file-url-upload", uploads.url_upload),
            # Files the returned URLs point to.
            web.get(assets.AUDIO_PATH, files.audio),
            web.get(assets.SOURCE_AUDIO_PATH, files.audio),
            web.get(assets.STREAM_PATH, files.stream),
            web.get(assets.SOURCE_STREAM_PATH, files.stream),
            web.get(assets.IMAGE_PATH, files.image),
            web.get(assets.SOURCE_IMAGE_PATH, files.image),
            web.get("/files/tmp/{path:.+}", files.uploaded),
            web.get("/files/wav/{id}.wav", files.wav),
            web.get("/files/stems/{id}/{stem}.mp3", files.stem),
            web.get("/files/video/{id}.mp4", files.video),
            web.get("/files/cover/{id}-{n}.png", files.cover_png),
            # The mock's own control plane.
            web.get("/__mock__/health", control.health),
            web.get("/__mock__/tasks", control.tasks),
            web.get("/__mock__/tasks/{id}", control.task),
            web.get("/__mock__/tasks/{id}/scenario", control.task_scenario),
            web.get("/__mock__/deliveries", control.deliveries),
            web.get("/__mock__/requests", control.requests),
            web.post("/__mock__/reset", control.reset),
            web.get("/__mock__/scenarios", control.scenarios),
            web.post("/__mock__/scenario", control.set_scenario),
        ]
    )
