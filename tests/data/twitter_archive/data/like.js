window.YTD.like.part0 = [
  {
    "like" : {
      "tweetId" : "1051234000000000000",
      "fullText" : "a liked post",
      "expandedUrl" : "https://twitter.com/i/web/status/1051234000000000000"
    }
  }
]