from openai import OpenAI

client = OpenAI()


def keywords(text: str) -> str:
    response = client.chat.completions.create(
        model="gpt-4o-mini",
        max_tokens=512,
        messages=[{"role": "user", "content": f"Keywords for: {text}"}],
        extra_headers={"x-flowtune-worker": "keywords"},
    )
    return response.choices[0].message.content or ""
